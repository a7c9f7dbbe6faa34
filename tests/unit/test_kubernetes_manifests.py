"""deploy/kubernetes/ is checked without a cluster: its manifests parse, every container runs a
command the CLI accepts (with the environment the manifests give it), every worker service has
a Deployment, probes, ports, selectors and references point at things that exist, every
liveness probe outwaits the process's look at PostgreSQL, every process logs in to Kafka as its
own principal, and the ACL Job applies the ACLs topics.toml makes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from services.cli.main import cli
from services.cli.workers import WORKERS
from services.platform.eventlog.acls import acl_grants, render
from services.platform.operations.liveness import LIVENESS_DATABASE_SECONDS

MANIFESTS = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"


def _documents() -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for path in sorted(MANIFESTS.glob("*.yaml")):
        documents += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    return documents


DOCUMENTS = _documents()


def _of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in DOCUMENTS if d["kind"] == kind}


def _containers() -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, container)
        for name, deployment in _of_kind("Deployment").items()
        for container in deployment["spec"]["template"]["spec"]["containers"]
    ]


def _option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def _environment() -> dict[str, str]:
    config = _of_kind("ConfigMap")["vendorwatch"]["data"]
    secret = _of_kind("Secret")["vendorwatch-database"]["stringData"]
    return {**config, **secret}


@pytest.mark.parametrize(("deployment", "container"), _containers(), ids=lambda v: str(v)[:30])
def test_every_container_runs_a_command_the_cli_accepts(
    deployment: str, container: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in _environment().items():
        monkeypatch.setenv(key, value)
    subcommand, *rest = container["args"]
    parent = click.Context(cli, info_name="vendorwatch")
    command = cli.get_command(parent, subcommand)
    assert command is not None, f"{deployment}: `vendorwatch {subcommand}` is not a CLI command"
    try:
        command.make_context(subcommand, list(rest), parent=parent)
    except click.ClickException as error:
        pytest.fail(f"{deployment}: `vendorwatch {' '.join(container['args'])}`: {error}")
    references = {
        ref.get("configMapRef", ref.get("secretRef", {})).get("name")
        for ref in container["envFrom"]
    }
    assert references <= set(_of_kind("ConfigMap")) | set(_of_kind("Secret"))


def test_every_worker_service_has_a_deployment() -> None:
    run = [c["args"][1] for _, c in _containers() if c["args"][0] == "worker"]
    assert sorted(run) == sorted(WORKERS)


@pytest.mark.parametrize(("deployment", "container"), _containers(), ids=lambda v: str(v)[:30])
def test_probes_reach_the_port_the_process_listens_on(
    deployment: str, container: dict[str, Any]
) -> None:
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    listens = "--health-port" if container["args"][0] == "worker" else "--port"
    for kind, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        probe = container[kind]["httpGet"]
        assert probe["path"] == path, (deployment, kind)
        assert ports[probe["port"]] == int(_option(container["args"], listens)), deployment


@pytest.mark.parametrize(("deployment", "container"), _containers(), ids=lambda v: str(v)[:30])
def test_every_liveness_probe_waits_longer_than_its_look_at_postgresql(
    deployment: str, container: dict[str, Any]
) -> None:
    # A database that hangs makes /healthz answer `degraded` only after its 0.5 s look: with
    # the probe's default second, a busy node timed probes out and every pod (the API's, then
    # the workers') was restarted for an outage a restart cannot cure.
    probe = container["livenessProbe"]
    assert probe.get("timeoutSeconds", 1) >= 4 * LIVENESS_DATABASE_SECONDS, deployment


def test_the_api_service_selects_the_api_pods() -> None:
    service = _of_kind("Service")["vendorwatch-api"]
    api = _of_kind("Deployment")["vendorwatch-api"]["spec"]["template"]
    labels = api["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    ports = {p["name"] for c in api["spec"]["containers"] for p in c["ports"]}
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports


def _secret_data(name: str) -> dict[str, str]:
    data: dict[str, str] = _of_kind("Secret")[name]["stringData"]
    return data


@pytest.mark.parametrize(("deployment", "container"), _containers(), ids=lambda v: str(v)[:30])
def test_every_process_logs_in_to_kafka_as_its_own_principal(
    deployment: str, container: dict[str, Any]
) -> None:
    args = container["args"]
    principal = args[1] if args[0] == "worker" else args[0]
    config = _of_kind("ConfigMap")["vendorwatch"]["data"]
    assert config["VENDORWATCH_KAFKA_SECURITY_PROTOCOL"].startswith("SASL_")
    usernames = [
        _secret_data(ref["secretRef"]["name"]).get("VENDORWATCH_KAFKA_USERNAME")
        for ref in container["envFrom"]
        if "secretRef" in ref
    ]
    assert [u for u in usernames if u] == [principal], deployment


def test_the_acl_job_applies_the_acls_topics_toml_makes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regenerate with `vendorwatch kafka acls` when a topic's writers or readers change."""
    monkeypatch.delenv("VENDORWATCH_KAFKA_NAMESPACE", raising=False)
    acls = _of_kind("ConfigMap")["vendorwatch-kafka-acls"]["data"]["acls"]
    assert acls == render(acl_grants())
    pod = _of_kind("Job")["vendorwatch-kafka-acls"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert volumes["acls"]["configMap"]["name"] == "vendorwatch-kafka-acls"
    script = " ".join(container["args"])
    assert "kafka-acls.sh" in script and f"< {mounts['acls']}/acls" in script
    admin = volumes["admin"]["secret"]["secretName"]
    assert f"--command-config {mounts['admin']}/admin.properties" in script
    assert 'username="admin"' in _secret_data(admin)["admin.properties"]
