"""Distributed mode end to end: workers and API as separate processes over a real Kafka."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import GraphQLClient, Service, free_port, run_cli, wait_until
from tests.support.slice_checks import check_mutation_goes_through_the_log, check_suspension_slice

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
    def publish(path: Path) -> None:
        result = run_cli("publish", str(path), "--kafka", kafka_bootstrap)
        assert result.returncode == 0, result.stderr

    check_suspension_slice(distributed, publish, tmp_path)


def test_mutation_goes_through_kafka(distributed: GraphQLClient) -> None:
    check_mutation_goes_through_the_log(distributed)
