"""Embedded mode end to end: `vendorwatch up`, `vendorwatch publish`, GraphQL over HTTP."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import case_b
from tests.support.processes import (
    GraphQLClient,
    Service,
    cli_publisher,
    free_port,
    run_cli,
    wait_until,
)
from tests.support.registry_checks import check_live_eligibility_changes, check_registry_case
from tests.support.risk_checks import (
    LIVE_LATENCY_BOUND,
    check_live_risk_updates,
    check_risk_case,
)
from tests.support.slice_checks import (
    ELIGIBILITY,
    VENDOR,
    check_mutation_goes_through_the_log,
    check_suspension_slice,
)

pytestmark = pytest.mark.postgres

README_EXAMPLE = Path(__file__).resolve().parents[2] / "schemas" / "examples" / "case-b.jsonl"


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
    check_suspension_slice(embedded, cli_publisher("--database-url", database_url), tmp_path)


def test_mutation_goes_through_the_embedded_log(embedded: GraphQLClient) -> None:
    check_mutation_goes_through_the_log(embedded)


def test_health_reports_the_in_process_consumers(embedded: GraphQLClient) -> None:
    response = httpx.get(embedded.url.replace("/graphql", "/healthz"), timeout=5)
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "consumers": [
            {"consumer": name, "stalled": False, "failing_for_seconds": 0.0}
            for name in ("registry", "risk")
        ],
    }


def test_readme_example_and_data_kept_across_restarts(tmp_path: Path) -> None:
    """The README's worked example, on the embedded PostgreSQL of `--data-dir`; Ctrl-C stops
    cleanly and a second run still knows everything."""
    data_dir = tmp_path / "data"
    port = free_port()
    client = GraphQLClient(f"http://127.0.0.1:{port}/graphql")
    args = ["up", "--data-dir", str(data_dir), "--port", str(port)]

    first = Service("up-first", args, tmp_path)
    wait_until(client.healthy, "the first run to answer", timeout=90)
    published = run_cli("publish", str(README_EXAMPLE), "--data-dir", str(data_dir))
    assert published.returncode == 0, published.stderr

    def barred_on_last_day() -> bool:
        answer = client.data(ELIGIBILITY, vendor=case_b.VENDOR, day=case_b.LAST_SUSPENDED_DAY)
        return answer["bidEligibility"]["eligible"] is False

    wait_until(barred_on_last_day, "the example suspension to apply")
    assert first.stop(signal.SIGINT) == 0  # Ctrl-C
    assert "Traceback" not in first.log_tail(200)

    second = Service("up-second", args, tmp_path)
    try:
        wait_until(client.healthy, "the second run to answer", timeout=90)
        vendor = client.data(VENDOR, id=case_b.VENDOR)["vendor"]
        assert vendor["legalName"] == "株式会社ビー情報システム"
        assert barred_on_last_day()
        again = client.data(ELIGIBILITY, vendor=case_b.VENDOR, day=case_b.ELIGIBLE_AGAIN)
        assert again["bidEligibility"]["eligible"] is True
    finally:
        client.close()
        second.stop(signal.SIGINT)


def test_registry_case_through_the_embedded_log(
    embedded: GraphQLClient, database_url: str, tmp_path: Path
) -> None:
    check_registry_case(embedded, cli_publisher("--database-url", database_url), tmp_path)


def test_live_eligibility_changes_over_websocket(
    embedded: GraphQLClient, database_url: str, tmp_path: Path
) -> None:
    check_live_eligibility_changes(
        embedded, cli_publisher("--database-url", database_url), tmp_path
    )


def test_risk_case_explained_step_by_step(
    embedded: GraphQLClient, database_url: str, tmp_path: Path
) -> None:
    check_risk_case(embedded, cli_publisher("--database-url", database_url), tmp_path)


def test_live_risk_updates_over_websocket(
    embedded: GraphQLClient, database_url: str, tmp_path: Path
) -> None:
    latency = check_live_risk_updates(
        embedded, cli_publisher("--database-url", database_url), tmp_path
    )
    print(f"risk update reached the subscriber {latency:.2f} s after entering the log")
    # The acceptance asks for a second; measured well under it here (see the printed value).
    # The bound is wider so a loaded 2-core CI machine does not make the test flaky.
    assert latency < LIVE_LATENCY_BOUND
