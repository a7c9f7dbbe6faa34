"""One verdict per event, run against either mode: what the registry refuses and what an
outsider may not say change nothing anywhere, and eventStatus says so."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from tests.support import case_b
from tests.support.event_examples import VALID_PAYLOADS, envelope
from tests.support.processes import GraphQLClient, Publish, wait_until

GHOST = "ghost"
STATUS = """
query ($id: ID!) { eventStatus(eventId: $id) {
  accepted appliedBy refusedBy pending deadLetters { stage reason } } }"""
EFFECTS = """
query ($vendor: ID!) {
  riskScore(vendorId: $vendor, asOf: "2023-01-01") { score factors { name } }
  riskiestVendors(first: 100) { vendorId }
  registryChanges(first: 500) { changes { vendorId kind } }
  migrationPlans(vendorId: $vendor) { totalCount }
  bidEligibility(vendorId: $vendor, asOf: "2023-01-01") { eligible }
  auditTrail(first: 100) { edges { node { eventId } } }
  events(vendorId: $vendor, first: 100) { edges { node { eventId refusedBy } } }
}"""


def _status(client: GraphQLClient, event: dict[str, Any]) -> dict[str, Any]:
    status: dict[str, Any] = client.data(STATUS, id=event["event_id"])["eventStatus"]
    return status


def _settled(client: GraphQLClient, event: dict[str, Any]) -> bool:
    status = _status(client, event)
    return not status["pending"] and (status["accepted"] or bool(status["deadLetters"]))


def check_refused_events_have_no_effect(
    client: GraphQLClient, publish: Publish, tmp_path: Path
) -> None:
    too_long = case_b.suspended(sanction_id="too-long", duration_months=24)
    for_ghost = case_b.suspended(vendor_id=GHOST, sanction_id="ghost-1")
    forged_bar = envelope(
        "vendor.eligibility_changed", VALID_PAYLOADS["vendor.eligibility_changed"], case_b.VENDOR
    )
    forged_risk = envelope("risk.changed", VALID_PAYLOADS["risk.changed"], case_b.VENDOR)
    claims_admin = {
        **case_b.another_vendor("vendor-raw"),
        "recorded_by": {"subject": "local-admin", "role": "admin", "agencies": []},
    }
    # The typed mutations' source, whose copies are one event whatever their occurred_at.
    claims_api = {**case_b.another_vendor("vendor-api"), "source": "vendorwatch.api"}
    # An incident on B's contract that names the ghost as its cause.
    awarded = VALID_PAYLOADS["contract.awarded"]
    benefits = awarded | {"contract_id": VALID_PAYLOADS["incident.reported"]["contract_id"]}
    caused_by_ghost = envelope(
        "incident.reported",
        VALID_PAYLOADS["incident.reported"] | {"caused_by_vendor_id": GHOST},
        case_b.VENDOR,
    )
    # After the others in vendor B's order: once it is applied, they have all been judged.
    contract = envelope("contract.awarded", awarded, case_b.VENDOR)
    events = [
        case_b.registered(),
        too_long,
        for_ghost,
        envelope("contract.awarded", benefits, case_b.VENDOR),
        caused_by_ghost,
        forged_bar,
        forged_risk,
        claims_admin,
        claims_api,
        contract,
    ]
    path = tmp_path / "refused.jsonl"
    path.write_bytes(b"".join(case_b.line(e) + b"\n" for e in events))
    # The forged emitted events and the claimed recorded_by never pass publish's own check;
    # the registry refuses the rest later.
    publish(path, refused=4)
    for event in events:
        wait_until(partial(_settled, client, event), f"{event['event_type']} to be settled")

    for refused in (too_long, for_ghost, caused_by_ghost):
        status = _status(client, refused)
        assert status["accepted"] and status["appliedBy"] == [], status
        assert status["refusedBy"] == ["REGISTRY"] and status["pending"] == [], status
        assert [d["stage"] for d in status["deadLetters"]] == ["REGISTRY"], status
    assert "18" in _status(client, too_long)["deadLetters"][0]["reason"]
    assert "unknown vendor 'ghost'" in _status(client, for_ghost)["deadLetters"][0]["reason"]
    caused = _status(client, caused_by_ghost)["deadLetters"][0]["reason"]
    assert caused.startswith("payload.caused_by_vendor_id: unknown vendor 'ghost'"), caused
    for forged, says in (
        (forged_bar, "emitted by VendorWatch's services only"),
        (forged_risk, "emitted by VendorWatch's services only"),
        (claims_admin, "recorded_by: set only by the API"),
        (claims_api, "source: vendorwatch.api is the API's typed mutations' own"),
    ):
        status = _status(client, forged)
        assert not status["accepted"] and status["appliedBy"] == [], status
        assert [d["stage"] for d in status["deadLetters"]] == ["INGEST"], status
        assert says in status["deadLetters"][0]["reason"]
    # The alerts judge awards too (an award to a barred vendor is told to its agency).
    assert _status(client, contract)["appliedBy"] == ["ALERTS", "MIGRATION", "REGISTRY", "RISK"]

    seen = client.data(EFFECTS, vendor=case_b.VENDOR)
    factors = {f["name"] for f in seen["riskScore"]["factors"]}
    assert "active_sanctions" not in factors and "incidents" not in factors, factors
    assert GHOST not in {r["vendorId"] for r in seen["riskiestVendors"]}
    changes = {(c["vendorId"], c["kind"]) for c in seen["registryChanges"]["changes"]}
    assert changes == {(case_b.VENDOR, "IDENTITY")}, changes
    assert seen["migrationPlans"]["totalCount"] == 0
    assert seen["bidEligibility"]["eligible"] is True
    audited = {edge["node"]["eventId"] for edge in seen["auditTrail"]["edges"]}
    assert claims_admin["event_id"] not in audited
    # The vendor's timeline, as an auditor reads it, says which of its events had no effect.
    timeline = {e["node"]["eventId"]: e["node"]["refusedBy"] for e in seen["events"]["edges"]}
    assert timeline[too_long["event_id"]] == timeline[caused_by_ghost["event_id"]] == ["REGISTRY"]
    assert timeline[contract["event_id"]] == [] and timeline[events[0]["event_id"]] == []
