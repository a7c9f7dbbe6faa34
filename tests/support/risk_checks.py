"""Issue 4's acceptance through GraphQL over HTTP and WebSocket, against either mode."""

from __future__ import annotations

import datetime as dt
import json
import queue
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support import case_b, case_risk
from tests.support.event_examples import envelope
from tests.support.processes import GraphQLClient, Publish, wait_until
from tests.support.registry_checks import all_registered
from tests.support.subscriptions import subscribe

TOKYO = ZoneInfo("Asia/Tokyo")
LIVE_LATENCY_BOUND = 2.0  # seconds
HISTORY = """
query ($id: ID!) { riskHistory(vendorId: $id) { totalCount edges { node {
  asOf score band modelVersion
  factors { name contribution evidence { eventIds vendorId } } } } } }"""
VENDOR_RISK = """
query ($id: ID!, $day: Date) { vendor(vendorId: $id) { riskScore(asOf: $day) {
  score band modelVersion factors { name contribution } } } }"""
RISKIEST = """
query ($agency: String) { riskiestVendors(first: 5, agency: $agency) { vendorId score band } }"""
UPDATES = """
subscription ($ids: [ID!], $minBand: RiskBand) { riskUpdates(vendorIds: $ids, minBand: $minBand) {
  vendorId oldBand newBand newScore movedFactors modelVersion } }"""


def _publish(publish: Publish, path: Path, *events: dict[str, Any]) -> None:
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in events) + "\n")
    publish(path)


def check_risk_case(client: GraphQLClient, publish: Publish, work: Path) -> None:
    """B's band rises step by step, each step explained; C's incident shows on B, inherited."""
    _publish(
        publish, work / "risk-case.jsonl", *case_risk.registered_first(), *case_risk.the_case()
    )

    def history() -> list[dict[str, Any]]:
        page = client.data(HISTORY, id=case_b.VENDOR)["riskHistory"]
        assert page["totalCount"] == len(page["edges"])
        return [edge["node"] for edge in page["edges"]]

    wait_until(lambda: len(history()) == len(case_risk.the_case()), "B's risk history")
    steps = history()
    order = ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
    rising = [order.index(s["band"]) for s in steps[2:5]]  # incident, investigation, suspension
    assert rising == sorted(rising) and rising[-1] > rising[0]
    names = [{f["name"] for f in s["factors"]} for s in steps]
    assert "incidents" in names[2]
    assert "unapproved_subcontracting" in names[3]
    assert "active_sanctions" in names[4]
    (inherited,) = [f for f in steps[5]["factors"] if f["name"] == "inherited_incidents"]
    assert {e["vendorId"] for e in inherited["evidence"]} == {case_risk.SUBCONTRACTOR}

    def vendor_risk() -> dict[str, Any] | None:
        vendor = client.data(VENDOR_RISK, id=case_b.VENDOR, day="令和5年1月1日")["vendor"]
        return vendor["riskScore"] if vendor else None  # the registry may still be behind

    wait_until(lambda: vendor_risk() is not None, "B in the registry")
    during = vendor_risk()
    assert during is not None
    assert during["band"] in ("HIGH", "CRITICAL") and during["modelVersion"].startswith("1:")
    assert during["score"] == pytest.approx(sum(f["contribution"] for f in during["factors"]))
    ranked = client.data(RISKIEST, agency=case_risk.AGENCY)["riskiestVendors"]
    assert [r["vendorId"] for r in ranked] == [case_b.VENDOR]


def check_live_risk_updates(client: GraphQLClient, publish: Publish, work: Path) -> float:
    """A band change reaches a real WebSocket subscriber of that vendor, and no one else's.
    Returns the seconds from the event entering the log to its arrival."""
    today = dt.datetime.now(TOKYO).date().isoformat()
    leak = {
        "incident_id": "inc-live",
        "kind": "data_leak",
        "severity": "critical",
        "occurred_on": today,
        "reported_on": today,
        "description": "Residents' data found on a public server.",
    }
    # Registered first: a subscription naming a vendor the registry does not hold is refused,
    # and so is a record of one.
    _publish(
        publish,
        work / "vendors.jsonl",
        case_b.another_vendor("vendor-live-risk"),
        case_b.another_vendor("vendor-elsewhere"),
    )
    wait_until(lambda: all_registered(client, "vendor-live-risk", "vendor-elsewhere"), "vendors")
    with (
        subscribe(client.url, UPDATES, ids=["vendor-live-risk"], minBand="MEDIUM") as watching,
        subscribe(client.url, UPDATES, ids=["vendor-elsewhere"]) as elsewhere,
    ):
        _publish(
            publish, work / "leak.jsonl", envelope("incident.reported", leak, "vendor-live-risk")
        )
        entered = time.monotonic()
        update = watching.next_payload(timeout=30)["riskUpdates"]
        latency = time.monotonic() - entered
        assert update["vendorId"] == "vendor-live-risk"
        assert update["oldBand"] is None and update["newBand"] != "LOW"
        assert update["movedFactors"] == ["incidents"]
        with pytest.raises(queue.Empty):
            elsewhere.next_payload(timeout=2)
    return latency
