"""deploy/kubernetes/ is checked without a cluster: its manifests parse, every container runs a
command the CLI accepts (with the environment the manifests give it), every worker service has
a Deployment, and probes, ports, selectors and references point at things that exist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from services.cli.distributed import WORKERS
from services.cli.main import cli

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
    try:
        cli.commands[subcommand].make_context(subcommand, list(rest), parent=parent)
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
    probe = container["livenessProbe"]["httpGet"]
    assert probe["path"] == "/healthz"
    assert ports[probe["port"]] == int(_option(container["args"], listens)), deployment


def test_the_api_service_selects_the_api_pods() -> None:
    service = _of_kind("Service")["vendorwatch-api"]
    api = _of_kind("Deployment")["vendorwatch-api"]["spec"]["template"]
    labels = api["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    ports = {p["name"] for c in api["spec"]["containers"] for p in c["ports"]}
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports
