"""The system under test, in either mode, as real processes: `vendorwatch up` (embedded), or
the ingest, registry, risk and migration workers and the API over a real Kafka (distributed)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres_outage import StoppablePostgres, stoppable_postgres
from tests.support.principals import TEST_SECRET
from tests.support.processes import (
    GraphQLClient,
    Service,
    System,
    cli_publisher,
    free_port,
    stop_all,
    wait_until,
)

WORKERS = ("ingest", "registry", "risk", "migration")


@pytest.fixture
def server() -> Iterator[StoppablePostgres]:
    """A PostgreSQL of the test's own, to take down and bring back (`postgres_outage.py`)."""
    with stoppable_postgres() as started:
        yield started


@pytest.fixture(autouse=True)
def jwt_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """The systems under test accept tokens signed with the tests' secret, with no clock skew
    allowed (they share the tests' clock), so a token expires when it says."""
    monkeypatch.setenv("VENDORWATCH_JWT_SECRET", TEST_SECRET.decode())
    monkeypatch.setenv("VENDORWATCH_JWT_LEEWAY_SECONDS", "0")


@pytest.fixture(autouse=True)
def own_state_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The records of running `up`s (the user state dir) of this test only: commands that look
    for the running `up` find this test's, never one of a test running beside it."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture
def namespace(monkeypatch: pytest.MonkeyPatch) -> str:
    """Topics and consumer groups of this test only, so tests cannot see each other's events."""
    value = f"test{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("VENDORWATCH_KAFKA_NAMESPACE", value)
    return value


def _serve(services: list[Service], client: GraphQLClient, timeout: float) -> Iterator[None]:
    try:
        wait_until(client.serving, "the API to answer", timeout=timeout)
        yield
    except BaseException:
        for service in services:
            print(f"--- {service.name}\n{service.log_tail()}")
        raise
    finally:
        client.close()
        stop_all(services)


@pytest.fixture
def embedded(database_url: str, tmp_path: Path) -> Iterator[System]:
    port = free_port()
    up = Service("up", ["up", "--database-url", database_url, "--port", str(port)], tmp_path)
    client = GraphQLClient(f"http://127.0.0.1:{port}/graphql")
    for _ in _serve([up], client, timeout=60):
        yield System(client, cli_publisher("--database-url", database_url), up.log_path)


@pytest.fixture
def distributed(
    kafka_bootstrap: str, database_url: str, namespace: str, tmp_path: Path
) -> Iterator[System]:
    common = ["--kafka", kafka_bootstrap, "--database-url", database_url]
    port = free_port()
    services = [Service(w, ["worker", w, *common], tmp_path) for w in WORKERS]
    services.append(Service("api", ["api", *common, "--port", str(port)], tmp_path))
    client = GraphQLClient(f"http://127.0.0.1:{port}/graphql")
    for _ in _serve(services, client, timeout=90):
        yield System(client, cli_publisher("--kafka", kafka_bootstrap))


@pytest.fixture(params=["embedded", pytest.param("distributed", marks=pytest.mark.kafka)])
def system(request: pytest.FixtureRequest) -> System:
    """Each scenario runs in both modes, through their real transports."""
    running: System = request.getfixturevalue(request.param)
    return running
