"""docker-compose.yml and the Dockerfile agree with each other and with the `vendorwatch` CLI,
and the broker enforces the writers of deploy/kafka/topics.toml (ACLs, one user per process).

Needs no Docker engine and no Compose client: the file is validated against the Compose
Specification's JSON schema, vendored in tests/data/compose-spec/ (see its PROVENANCE.md).
"""

from __future__ import annotations

import copy
import ipaddress
import json
import re
import shlex
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import pytest
import yaml
from jsonschema import Draft7Validator

from services.cli.main import cli
from services.platform.eventlog.acls import acl_grants, render
from services.platform.eventlog.topics import load_topics
from services.platform.operations.liveness import LIVENESS_DATABASE_SECONDS
from services.platform.trusted_proxies import trusted_proxies

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
COMPOSE_SCHEMA = json.loads(
    (REPO_ROOT / "tests/data/compose-spec/compose-spec.json").read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), "docker-compose.yml must be a mapping"
    assert isinstance(loaded.get("services"), dict) and loaded["services"]
    return loaded


def _services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = compose["services"]
    return services


def _vendorwatch_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services running our image, i.e. the ones built from a context in this repository."""
    return {name: spec for name, spec in _services(compose).items() if "build" in spec}


def _command(spec: dict[str, Any]) -> list[str]:
    command = spec.get("command", [])
    if isinstance(command, str):
        return shlex.split(command)
    return [str(arg) for arg in command]


def _option(args: list[str], name: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def _worker_choices() -> list[str]:
    worker = cli.get_command(click.Context(cli), "worker")
    assert worker is not None
    service = next(param for param in worker.params if param.name == "service")
    assert isinstance(service.type, click.Choice), "worker's `service` argument is a click.Choice"
    return [str(choice) for choice in service.type.choices]


def _published_ports(spec: dict[str, Any]) -> Iterator[tuple[str, int, str, int]]:
    """(host_ip, host_port, protocol, container_port) for every port published on the host."""
    for entry in spec.get("ports", []):
        if isinstance(entry, dict):
            if entry.get("published") is None:
                continue
            host_ip = str(entry.get("host_ip", "0.0.0.0"))
            protocol = str(entry.get("protocol", "tcp"))
            published = str(entry["published"])
            target = str(entry["target"])
        else:
            text, _, protocol = str(entry).partition("/")
            protocol = protocol or "tcp"
            parts = text.rsplit(":", 2)
            if len(parts) == 1:
                continue  # container port only: Docker picks a free host port
            host_ip = parts[0].strip("[]") if len(parts) == 3 else "0.0.0.0"
            published, target = parts[-2], parts[-1]
        hosts = _port_range(published)
        targets = _port_range(target)
        if len(targets) == 1:
            targets = targets * len(hosts)
        assert len(hosts) == len(targets), f"port range mismatch in {entry!r}"
        for host_port, container_port in zip(hosts, targets, strict=True):
            yield host_ip, host_port, protocol, container_port


def _port_range(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def _dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, arguments = full.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def test_depends_on_targets_exist(compose: dict[str, Any]) -> None:
    names = set(_services(compose))
    for name, spec in _services(compose).items():
        depends_on = spec.get("depends_on", [])
        targets = list(depends_on) if isinstance(depends_on, dict | list) else []
        assert set(targets) <= names, f"{name} depends on unknown services {set(targets) - names}"
        assert name not in targets, f"{name} depends on itself"


def test_every_build_context_has_a_dockerfile(compose: dict[str, Any]) -> None:
    built = _vendorwatch_services(compose)
    assert built, "no service builds the VendorWatch image"
    for name, spec in built.items():
        build = spec["build"]
        if isinstance(build, str):
            context, dockerfile = build, "Dockerfile"
        else:
            context, dockerfile = build.get("context", "."), build.get("dockerfile", "Dockerfile")
        path = (COMPOSE_FILE.parent / context / dockerfile).resolve()
        assert path.is_file(), f"{name}: no Dockerfile at {path}"


def test_dockerfile_entrypoint_is_the_cli() -> None:
    instructions = _dockerfile_instructions(DOCKERFILE)
    stages = [i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    assert stages, "Dockerfile has no FROM"
    final_stage = instructions[stages[-1] :]
    entrypoints = [arguments for keyword, arguments in final_stage if keyword == "ENTRYPOINT"]
    assert entrypoints, "the final stage of the Dockerfile sets no ENTRYPOINT"
    assert json.loads(entrypoints[-1]) == ["vendorwatch"]
    users = [arguments for keyword, arguments in final_stage if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}, "the image must not run as root"


def test_commands_are_cli_subcommands_with_valid_options(compose: dict[str, Any]) -> None:
    """Every command parses with the real click commands (options, types, choices), unrun."""
    for name, spec in _vendorwatch_services(compose).items():
        assert "entrypoint" not in spec, f"{name} must keep the image's `vendorwatch` entrypoint"
        args = _command(spec)
        assert args, f"{name} has no command"
        subcommand, rest = args[0], args[1:]
        parent = click.Context(cli, info_name="vendorwatch")
        command = cli.get_command(parent, subcommand)
        assert command is not None, (
            f"{name}: `vendorwatch {subcommand}` is not a CLI command;"
            f" have {cli.list_commands(parent)}"
        )
        try:
            command.make_context(subcommand, list(rest), parent=parent)
        except click.ClickException as error:
            pytest.fail(f"{name}: `vendorwatch {shlex.join(args)}` is refused: {error}")


def test_workers_in_compose_match_the_cli(compose: dict[str, Any]) -> None:
    choices = set(_worker_choices())
    workers: Counter[str] = Counter()
    for name, spec in _vendorwatch_services(compose).items():
        args = _command(spec)
        if args[:1] == ["worker"]:
            assert len(args) > 1 and args[1] in choices, (
                f"{name}: worker {args[1:2]} is not one of the CLI's {sorted(choices)}"
            )
            workers[args[1]] += 1
    # One container per worker service: none missing, none twice (scale with --scale instead).
    assert set(workers) == choices, f"workers without a container: {choices - set(workers)}"
    assert all(count == 1 for count in workers.values()), f"duplicated workers: {workers}"


def test_commands_point_at_services_in_the_file(compose: dict[str, Any]) -> None:
    names = set(_services(compose))
    for name, spec in _vendorwatch_services(compose).items():
        args = _command(spec)
        kafka = _option(args, "--kafka")
        if kafka is not None:
            for server in kafka.split(","):
                assert server.rsplit(":", 1)[0] in names, f"{name}: --kafka {server} is unknown"
        database_url = _option(args, "--database-url")
        if database_url is not None:
            assert urlsplit(database_url).hostname in names, f"{name}: {database_url} is unknown"


def test_published_ports_do_not_clash(compose: dict[str, Any]) -> None:
    seen: dict[tuple[int, str], str] = {}
    for name, spec in _services(compose).items():
        for host_ip, host_port, protocol, _ in _published_ports(spec):
            key = (host_port, protocol)
            assert key not in seen, f"host port {host_port}/{protocol}: {seen[key]} and {name}"
            seen[key] = f"{name} ({host_ip})"
        listen = _option(_command(spec), "--port")
        targets = {target for *_, target in _published_ports(spec)}
        if listen is not None and targets:
            assert int(listen) in targets, f"{name} listens on {listen} but publishes {targets}"


def test_named_volumes_are_declared(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    used: set[str] = set()
    for name, spec in _services(compose).items():
        for volume in spec.get("volumes", []):
            if isinstance(volume, dict):
                source = volume.get("source") if volume.get("type", "volume") == "volume" else None
            else:
                source = str(volume).split(":", 1)[0] if ":" in str(volume) else None
            if source and not re.match(r"^[./~]|^\$", source):
                assert source in declared, f"{name} uses undeclared volume {source!r}"
                used.add(source)
    assert used == declared, f"declared but unused volumes: {declared - used}"


def test_compose_file_structure_and_the_compose_specification_accepts_it(
    compose: dict[str, Any],
) -> None:
    """The file is one Compose accepts (the Compose Specification's schema, which `docker
    compose config` checks a file against too), and its services start in order and come back.

    Why the schema and not `docker compose config -q`: no Compose client comes from the package
    registries a clean CI machine reaches (Debian's `docker-compose` is the retired 1.x, and
    the Docker client here has no compose plugin), and a check that ran only where a client
    happened to be installed passed silently everywhere else. The schema is what a Compose
    client validates a file against, so it refuses what they would: an unknown or misspelt key
    anywhere, a value of the wrong type. It is validated as written, before interpolation: the
    schema takes a string wherever a `${...}` may stand, and ours stand in string values only.
    What the schema cannot say (a volume used but not declared, a service waiting on one that
    does not exist) other tests of this file check.
    """
    one_shot = {
        dependency
        for spec in _services(compose).values()
        for dependency, condition in (spec.get("depends_on") or {}).items()
        if isinstance(condition, dict)
        and condition.get("condition") == "service_completed_successfully"
    }
    for name, spec in _services(compose).items():
        assert "image" in spec or "build" in spec, f"{name} has neither image nor build"
        # A one-shot service (others wait for it to complete) must not be restarted once done.
        restart = "on-failure" if name in one_shot else "unless-stopped"
        assert spec.get("restart") == restart, f"{name} is not restart: {restart}"
    for dependency in ("kafka", "postgres"):
        assert "healthcheck" in _services(compose)[dependency], f"{dependency} has no healthcheck"
    for name, spec in _vendorwatch_services(compose).items():
        conditions = spec.get("depends_on", {})
        assert isinstance(conditions, dict), f"{name}: depends_on needs conditions"
        for dependency in ("kafka", "postgres"):
            assert conditions.get(dependency, {}).get("condition") == "service_healthy", (
                f"{name} must wait for {dependency} to be healthy"
            )

    assert _refusals(compose) == [], "the Compose Specification refuses docker-compose.yml"
    # The schema is live, not a stand-in that takes anything: a misspelt key is refused.
    misspelt = copy.deepcopy(compose)
    misspelt["services"]["kafka"]["healthcheck"]["intervall"] = "5s"
    assert _refusals(misspelt) == [
        "$.services.kafka.healthcheck: 'intervall' does not match any of the regexes: '^x-'"
    ]


def _seconds(duration: str) -> float:
    """A Compose duration (`5s`, `1m30s`, `500ms`) in seconds."""
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 1e-6}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, f"not a duration: {duration}"
    return sum(float(number) * units[unit] for number, unit in parts)


def test_every_healthcheck_waits_longer_than_the_processs_look_at_postgresql(
    compose: dict[str, Any],
) -> None:
    # /healthz answers `degraded` during a database hang only after its look at PostgreSQL
    # gives up: a healthcheck timing out first would mark a container unhealthy (and restart
    # it under an orchestrator that acts on health) for an outage a restart cannot cure.
    for name, spec in _vendorwatch_services(compose).items():
        check = spec.get("healthcheck")
        if check is None:
            continue  # a one-shot command, not a service
        assert "/healthz" in " ".join(check["test"]), name
        assert _seconds(check.get("timeout", "30s")) >= 4 * LIVENESS_DATABASE_SECONDS, name


def _refusals(compose: dict[str, Any]) -> list[str]:
    """Where and why the Compose Specification's schema refuses `compose`, if it does."""
    validator = Draft7Validator(COMPOSE_SCHEMA)
    return sorted(f"{error.json_path}: {error.message}" for error in validator.iter_errors(compose))


def _mounted(spec: dict[str, Any], target: str) -> Path:
    """The repository file a service mounts at `target`."""
    for volume in spec.get("volumes", []):
        source, _, rest = str(volume).partition(":")
        if rest.split(":")[0] == target:
            return (COMPOSE_FILE.parent / source).resolve()
    raise AssertionError(f"nothing is mounted at {target}")


def _jaas_users(compose: dict[str, Any]) -> dict[str, str]:
    kafka = _services(compose)["kafka"]
    options = kafka["environment"]["KAFKA_OPTS"]
    login_config = re.search(r"-Djava\.security\.auth\.login\.config=(\S+)", options)
    assert login_config, "the broker has no JAAS file (KAFKA_OPTS)"
    text = _mounted(kafka, login_config.group(1)).read_text(encoding="utf-8")
    return dict(re.findall(r'user_(\w+)="([^"]*)"', text))


def test_the_broker_authenticates_everyone_and_authorizes_with_acls(
    compose: dict[str, Any],
) -> None:
    environment = _services(compose)["kafka"]["environment"]
    protocols = dict(
        pair.split(":") for pair in environment["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(",")
    )
    assert set(protocols.values()) == {"SASL_PLAINTEXT"}, "a listener lets clients in unnamed"
    assert environment["KAFKA_AUTHORIZER_CLASS_NAME"] == (
        "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    )
    assert environment["KAFKA_SUPER_USERS"] == "User:admin"
    assert str(environment.get("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND", "false")) == "false"
    principals = {p for spec in load_topics().values() for p in (*spec.writers, *spec.readers)}
    assert set(_jaas_users(compose)) == principals | {"admin"}


def test_the_acls_are_those_topics_toml_makes(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regenerate with `vendorwatch kafka acls` when a topic's writers or readers change."""
    monkeypatch.delenv("VENDORWATCH_KAFKA_NAMESPACE", raising=False)
    assert compose["configs"]["kafka-acls"]["content"] == render(acl_grants())
    init = _services(compose)["kafka-acls"]
    assert [c["source"] for c in init["configs"]] == ["kafka-acls"]
    script = " ".join(init["command"])
    assert f"< {init['configs'][0]['target']}" in script and "kafka-acls.sh" in script
    admin_config = re.search(r"--command-config (\S+)", script)
    assert admin_config, "kafka-acls runs without the super user's settings"
    assert 'username="admin"' in _mounted(init, admin_config.group(1)).read_text(encoding="utf-8")


def test_every_process_logs_in_as_its_own_principal(compose: dict[str, Any]) -> None:
    users = _jaas_users(compose)
    for name, spec in _vendorwatch_services(compose).items():
        args = _command(spec)
        principal = args[1] if args[0] == "worker" else args[0]
        environment = spec["environment"]
        assert environment["VENDORWATCH_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT", name
        assert environment["VENDORWATCH_KAFKA_USERNAME"] == principal, name
        assert environment["VENDORWATCH_KAFKA_PASSWORD"] == users[principal], name
        assert spec["depends_on"]["kafka-acls"] == {"condition": "service_completed_successfully"}


NGINX_CONFIG = REPO_ROOT / "deploy" / "nginx" / "api-gateway.conf"


def test_one_address_in_front_of_several_api_replicas(compose: dict[str, Any]) -> None:
    """Clients use one address; behind it run several API replicas, WebSockets included."""
    services = _services(compose)
    api, gateway = services["api"], services["api-gateway"]
    assert api["deploy"]["replicas"] >= 2
    assert not api.get("ports"), "replicas cannot share a host port; the gateway publishes it"
    assert "8000:8000" in gateway["ports"]
    mounted = [str(v).split(":")[0] for v in gateway["volumes"]]
    assert (COMPOSE_FILE.parent / mounted[0]).resolve() == NGINX_CONFIG
    config = NGINX_CONFIG.read_text(encoding="utf-8")
    assert f"server api:{_option(_command(api), '--port')};" in config
    for needed in ("proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;"):
        assert needed in config, f"the gateway must pass WebSocket upgrades: {needed}"


def test_the_api_believes_x_forwarded_for_from_api_gateway_alone(compose: dict[str, Any]) -> None:
    """nginx in front sets X-Forwarded-For: the api trusts it by its fixed address, and only
    it, so that the address recorded with each event is the client's (a setting the API's own
    check accepts, outside the range other containers are given addresses from)."""
    services = _services(compose)
    gateway = services["api-gateway"]["networks"]["default"]["ipv4_address"]
    trusted = services["api"]["environment"]["VENDORWATCH_FORWARDED_ALLOW_IPS"]
    assert trusted_proxies(trusted) == (gateway,)
    (pool,) = compose["networks"]["default"]["ipam"]["config"]
    address = ipaddress.ip_address(gateway)
    assert address in ipaddress.ip_network(pool["subnet"])
    assert address not in ipaddress.ip_network(pool["ip_range"])
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in _mounted(
        services["api-gateway"], "/etc/nginx/conf.d/default.conf"
    ).read_text(encoding="utf-8")
