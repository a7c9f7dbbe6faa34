"""Embedded mode end to end: `vendorwatch up`, `vendorwatch publish`, GraphQL over HTTP."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import case_b
from tests.support.processes import GraphQLClient, Service, free_port, run_cli, wait_until
from tests.support.slice_checks import (
    VENDOR,
    check_mutation_goes_through_the_log,
    check_suspension_slice,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def embedded(database_url: str, tmp_path: Path) -> Iterator[GraphQLClient]:
    port = free_port()
    service = Service("up", ["up", "--database-url", database_url, "--port", str(port)], tmp_path)
    client = GraphQLClient(f"http://127.0.0.1:{port}/graphql")
    try:
        wait_until(client.healthy, f"the API to answer\n{service.log_tail()}", timeout=60)
        yield client
    finally:
        client.close()
        service.stop()


def test_suspension_slice_through_the_embedded_log(
    embedded: GraphQLClient, database_url: str, tmp_path: Path
) -> None:
    def publish(path: Path) -> None:
        result = run_cli("publish", str(path), "--database-url", database_url)
        assert result.returncode == 0, result.stderr
        assert "sent" in result.stdout

    check_suspension_slice(embedded, publish, tmp_path)


def test_mutation_goes_through_the_embedded_log(embedded: GraphQLClient) -> None:
    check_mutation_goes_through_the_log(embedded)


def test_up_keeps_its_data_across_restarts_and_stops_cleanly(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    port = free_port()
    client = GraphQLClient(f"http://127.0.0.1:{port}/graphql")
    args = ["up", "--data-dir", str(data_dir), "--port", str(port)]

    first = Service("up-first", args, tmp_path)
    wait_until(client.healthy, "the first run to answer", timeout=90)
    events = tmp_path / "b.jsonl"
    events.write_bytes(case_b.line(case_b.registered()) + b"\n")
    published = run_cli("publish", str(events), "--data-dir", str(data_dir))
    assert published.returncode == 0, published.stderr
    wait_until(lambda: client.data(VENDOR, id=case_b.VENDOR)["vendor"] is not None, "vendor B")
    assert first.stop(signal.SIGINT) == 0  # Ctrl-C
    assert "Traceback" not in first.log_tail(200)

    second = Service("up-second", args, tmp_path)
    try:
        wait_until(client.healthy, "the second run to answer", timeout=90)
        vendor = client.data(VENDOR, id=case_b.VENDOR)["vendor"]
        assert vendor["legalName"] == case_b.registered()["payload"]["legal_name"]
    finally:
        client.close()
        second.stop(signal.SIGINT)
