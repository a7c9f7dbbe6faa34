"""What only embedded mode has: `vendorwatch up` on its own PostgreSQL, kept across restarts,
and one process's health (the scenarios of both modes are in test_scenarios.py)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx_ws import WebSocketDisconnect

from services.platform.security.auth import Role
from tests.support import case_b, case_migration
from tests.support.hostile_documents import SPREAD_OUT_LIMIT, fragment_bomb
from tests.support.migration_checks import operation, publish_events, suspension_from_today
from tests.support.processes import (
    GraphQLClient,
    Service,
    System,
    free_port,
    run_cli,
    wait_until,
)
from tests.support.slice_checks import (
    ELIGIBILITY,
    VENDOR,
)
from tests.support.subscriptions import subscribe

pytestmark = pytest.mark.postgres

README_EXAMPLE = Path(__file__).resolve().parents[2] / "schemas" / "examples" / "case-b.jsonl"


def test_health_reports_the_in_process_consumers_and_the_chain(embedded: System) -> None:
    url = embedded.client.url.replace("/graphql", "/healthz")

    def chain_checked() -> bool:
        return bool(httpx.get(url, timeout=5).json()["chain"]["status"] == "intact")

    # The first walk of the (empty) log runs as the process starts.
    wait_until(chain_checked, "the first verification of the event log", timeout=30)
    response = httpx.get(url, timeout=5)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["consumers"] == [
        {"consumer": name, "stalled": False, "failing_for_seconds": 0.0}
        for name in ("registry", "risk", "migration", "alerts")
    ]
    assert body["chain"]["events"] == 0 and body["chain"]["first_problem"] is None


def test_a_query_over_the_limits_is_refused_over_http(embedded: System) -> None:
    aliased = "{ " + " ".join(f"a{i}: deadLetters {{ totalCount }}" for i in range(31)) + " }"
    body = embedded.client.execute(aliased)
    assert body["data"] is None
    assert "aliases found. Allowed: 30" in body["errors"][0]["message"]


def test_a_fragment_bomb_is_refused_at_once_and_the_process_keeps_answering(
    embedded: System,
) -> None:
    """1.5 KB of fragments, each spreading the one before twice, froze the whole process
    (API, consumers and jobs share its loop) for good: its validation followed each spread."""
    viewer = embedded.client.as_role(Role.VIEWER)
    started = time.monotonic()
    body = viewer.execute(fragment_bomb(40))
    assert body == {
        "data": None,
        "errors": [{"message": SPREAD_OUT_LIMIT, "extensions": {"code": "BAD_REQUEST"}}],
    }
    risk = "riskUpdates { vendorId }"
    bomb = fragment_bomb(40, "subscription", "Subscription", risk)
    with subscribe(embedded.client.url, bomb, token=viewer.token) as subscription:
        refused = subscription.next_message(timeout=10)
    assert refused["type"] == "error"
    assert [e["message"] for e in refused["payload"]] == [SPREAD_OUT_LIMIT]
    assert time.monotonic() - started < 5
    assert embedded.client.healthy()
    assert viewer.data("{ today }")["today"]


def test_without_a_valid_token_only_health_answers(embedded: System) -> None:
    url = embedded.client.url
    assert httpx.get(url.replace("/graphql", "/healthz"), timeout=5).status_code == 200
    anonymous = httpx.post(url, json={"query": '{ vendor(vendorId: "x") { id } }'}, timeout=5)
    assert anonymous.status_code == 401 and anonymous.json()["errors"][0]["message"]
    forged = httpx.post(
        url,
        json={"query": '{ vendor(vendorId: "x") { id } }'},
        headers={"Authorization": f"Bearer {embedded.client.token}x"},
        timeout=5,
    )
    assert forged.status_code == 401
    assert "signature" in forged.json()["errors"][0]["message"]
    exported = httpx.get(url.replace("/graphql", "/migration-plans/p.csv"), timeout=5)
    assert exported.status_code == 401
    with pytest.raises(WebSocketDisconnect) as closed:  # noqa: SIM117
        with subscribe(url, "subscription { riskUpdates { vendorId } }", token="not-a-token"):
            pass
    assert (closed.value.code, closed.value.reason) == (4401, "token is not a JWT")


def test_a_plan_is_exported_from_the_command_line(
    embedded: System, database_url: str, tmp_path: Path
) -> None:
    start = dt.datetime.now(case_migration.TOKYO).date().replace(day=1)
    publish_events(
        embedded.publish,
        tmp_path / "case.jsonl",
        case_b.another_vendor(case_migration.VENDOR),
        *case_migration.contracts(start),
        suspension_from_today(case_migration.VENDOR, "city-001"),
    )

    def plans() -> list[dict[str, Any]]:
        page = embedded.client.data(operation("migration-plans"), vendorId=case_migration.VENDOR)
        return [edge["node"] for edge in page["migrationPlans"]["edges"]]

    wait_until(lambda: bool(plans()) and plans()[0]["solver"] is not None, "B's plan")
    plan_id = plans()[0]["planId"]
    target = tmp_path / "plan.csv"
    common = ["--database-url", database_url]
    exported = run_cli(
        "migration", "export", plan_id, "--format", "csv", "--output", str(target), *common
    )
    assert exported.returncode == 0, exported.stderr
    assert "wrote version" in exported.stdout
    rows = list(csv.DictReader(target.open(encoding="utf-8-sig")))
    assert len(rows) == len(case_migration.CONTRACTS)
    assert target.read_bytes().startswith(codecs.BOM_UTF8 + b"contract_id,")

    missing = run_cli("migration", "export", "plan-nope", *common)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "Error: no scheduled plan 'plan-nope'"


def printed_admin_token(service: Service) -> str:
    lines = service.log_path.read_text().splitlines()
    (at,) = [i for i, line in enumerate(lines) if line.startswith("Local admin token")]
    return lines[at + 1].strip()


def test_readme_example_and_data_kept_across_restarts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's worked example, on the embedded PostgreSQL of `--data-dir`, signed in
    with the admin token `up` prints; Ctrl-C stops cleanly and a second run still knows
    everything, and still accepts the tokens of the first (its secret is kept there too)."""
    monkeypatch.delenv("VENDORWATCH_JWT_SECRET")
    data_dir = tmp_path / "data"
    port = free_port()
    url = f"http://127.0.0.1:{port}/graphql"
    args = ["up", "--data-dir", str(data_dir), "--port", str(port)]

    first = Service("up-first", args, tmp_path)
    wait_until(GraphQLClient(url, token="").serving, "the first run to answer", timeout=90)
    client = GraphQLClient(url, token=printed_admin_token(first))
    assert httpx.post(url, json={"query": "{ deadLetters { totalCount } }"}).status_code == 401
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
        wait_until(client.serving, "the second run to answer", timeout=90)
        vendor = client.data(VENDOR, id=case_b.VENDOR)["vendor"]
        assert vendor["legalName"] == "株式会社ビー情報システム"
        assert barred_on_last_day()
        again = client.data(ELIGIBILITY, vendor=case_b.VENDOR, day=case_b.ELIGIBLE_AGAIN)
        assert again["bidEligibility"]["eligible"] is True
        created = run_cli("token", "create", "--role", "viewer", "--data-dir", str(data_dir))
        assert created.returncode == 0, created.stderr
        viewer = GraphQLClient(url, token=created.stdout.strip())
        assert viewer.data(VENDOR, id=case_b.VENDOR)["vendor"]["legalName"]
        (refused,) = viewer.execute(ELIGIBILITY, vendor=case_b.VENDOR, day=case_b.ELIGIBLE_AGAIN)[
            "errors"
        ]
        assert refused["message"] == "role viewer may not use bidEligibility"
        viewer.close()
    finally:
        client.close()
        second.stop(signal.SIGINT)
