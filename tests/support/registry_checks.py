"""Issue 3's acceptance through GraphQL over HTTP and WebSocket, against either mode."""

from __future__ import annotations

import datetime as dt
import json
import queue
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support import case_b
from tests.support.processes import GraphQLClient, Publish, wait_until
from tests.support.subscriptions import subscribe

ELIGIBILITY = """
query ($vendor: ID, $identifier: IdentifierInput, $day: Date!, $knownAt: DateTime) {
  bidEligibility(vendorId: $vendor, identifier: $identifier, asOf: $day, knownAt: $knownAt) {
    vendorId eligible eligibleAgainOn
    reasons { sanctionId kind authority startsOn endsOn viaVendorId }
  }
}"""
SEARCH = "query ($text: String!) { vendors(search: $text) { vendorId matchedKind score } }"
MANY = """
query ($ids: [ID!]!, $day: Date!) { bidEligibilityMany(vendorIds: $ids, asOf: $day) {
  vendorId eligible } }"""
PROPOSE = """
{ proposeSuspension(authority: "City procurement office", serious: true,
    grounds: ["breach_of_contract", "dishonest_conduct"], decidedOn: "令和4年7月8日") {
  startsOn minMonths maxMonths latestLastDay governingGround } }"""
CHANGES = "{ registryChanges { changes { vendorId kind } cursor hasMore } }"
SUBMIT = """
mutation ($event: JSON!) { submitEvent(event: $event) { accepted errors { field message } } }"""
LIVE = """
subscription ($ids: [ID!]) { eligibilityChanges(vendorIds: $ids) {
  vendorId asOf eligible eligibleAgainOn reasons { sanctionId } } }"""
TOKYO = ZoneInfo("Asia/Tokyo")
# Answered with data only once the registry holds every vendor named (a subscription naming
# one it does not hold is refused).
_KNOWN = "query ($ids: [ID!]!) { bidEligibilityMany(vendorIds: $ids) { eligible } }"


def all_registered(client: GraphQLClient, *vendor_ids: str) -> bool:
    return client.execute(_KNOWN, ids=list(vendor_ids)).get("data") is not None


def _publish(publish: Publish, path: Path, *events: dict[str, Any]) -> None:
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in events) + "\n")
    publish(path)


def _eligibility(client: GraphQLClient, **variables: Any) -> dict[str, Any]:
    answer: dict[str, Any] = client.data(ELIGIBILITY, **variables)["bidEligibility"]
    return answer


def check_registry_case(client: GraphQLClient, publish: Publish, work: Path) -> None:
    _publish(
        publish,
        work / "identity.jsonl",
        case_b.registered(),
        case_b.renamed(),
        case_b.subsidiary(),
        case_b.owned_by_b(),
    )
    wait_until(
        lambda: bool(client.data(SEARCH, text="株式会社ビーソリューションズ")["vendors"]),
        "the rename to be applied",
    )
    wait_until(lambda: bool(client.data(SEARCH, text="ビーシステムサービス")["vendors"]), "the sub")
    before_sanction = dt.datetime.now(dt.UTC).isoformat()
    _publish(publish, work / "sanction.jsonl", case_b.suspended(covers_affiliates=True))
    wait_until(
        lambda: not _eligibility(client, vendor=case_b.VENDOR, day="2023-03-01")["eligible"],
        "the suspension to apply",
    )

    # By corporate number, with a Japanese era date: the first suspended day.
    corporate = {"scheme": "corporate_number", "value": "7000012050002"}
    first_day = _eligibility(client, identifier=corporate, day="令和4年7月9日")
    assert first_day["vendorId"] == case_b.VENDOR and first_day["eligible"] is False
    assert first_day["eligibleAgainOn"] == case_b.ELIGIBLE_AGAIN
    assert first_day["reasons"] == [
        {
            "sanctionId": "city-2022-001",
            "kind": "BID_SUSPENSION",
            "authority": "City procurement office",
            "startsOn": case_b.SUSPENSION_START,
            "endsOn": case_b.LAST_SUSPENDED_DAY,
            "viaVendorId": None,
        }
    ]
    assert not _eligibility(client, vendor=case_b.VENDOR, day=case_b.LAST_SUSPENDED_DAY)["eligible"]
    assert _eligibility(client, vendor=case_b.VENDOR, day=case_b.ELIGIBLE_AGAIN)["eligible"]
    # The subsidiary, covered because the sanction says so.
    sub = _eligibility(client, vendor=case_b.SUBSIDIARY, day="2023-03-01")
    assert sub["eligible"] is False and sub["reasons"][0]["viaVendorId"] == case_b.VENDOR
    # As known before the sanction was recorded: eligible, for the same day.
    known_then = _eligibility(
        client, vendor=case_b.VENDOR, day="2023-03-01", knownAt=before_sanction
    )
    assert known_then["eligible"] is True

    (hit, *_) = client.data(SEARCH, text="株式会社ビーシステム")["vendors"]  # the former name
    assert (hit["vendorId"], hit["matchedKind"]) == (case_b.VENDOR, "FORMER")
    screened = client.data(MANY, ids=[case_b.VENDOR, case_b.SUBSIDIARY], day="2023-03-01")
    assert [a["eligible"] for a in screened["bidEligibilityMany"]] == [False, False]

    proposal = client.data(PROPOSE)["proposeSuspension"]
    assert proposal == {
        "startsOn": "2022-07-09",
        "minMonths": 2,
        "maxMonths": 18,
        "latestLastDay": "2024-01-08",
        "governingGround": "breach_of_contract",
    }
    too_long = case_b.suspended(sanction_id="city-2022-099", duration_months=24)
    answer = client.data(SUBMIT, event=too_long)["submitEvent"]
    assert not answer["accepted"] and "2–18 months" in answer["errors"][0]["message"]

    changed = {
        (c["vendorId"], c["kind"]) for c in client.data(CHANGES)["registryChanges"]["changes"]
    }
    assert {(case_b.VENDOR, "IDENTITY"), (case_b.SUBSIDIARY, "ELIGIBILITY")} <= changed


def check_live_eligibility_changes(client: GraphQLClient, publish: Publish, work: Path) -> None:
    """A sanction in force today is announced to subscribers of that vendor, not of others."""
    today = dt.datetime.now(TOKYO).date()
    _publish(
        publish,
        work / "live-vendors.jsonl",
        case_b.another_vendor("vendor-live"),
        case_b.another_vendor("vendor-quiet"),
    )
    wait_until(lambda: bool(client.data(SEARCH, text="vendor-quiet K.K.")["vendors"]), "vendors")
    live = case_b.suspended(
        vendor_id="vendor-live",
        sanction_id="live-001",
        decided_on=(today - dt.timedelta(days=1)).isoformat(),
        starts_on=today.isoformat(),
    )
    with (
        subscribe(client.url, LIVE, ids=["vendor-live"]) as watching,
        subscribe(client.url, LIVE, ids=["vendor-quiet"]) as elsewhere,
    ):
        _publish(publish, work / "live-sanction.jsonl", live)
        change = watching.next_payload(timeout=30)["eligibilityChanges"]
        assert change["vendorId"] == "vendor-live" and change["eligible"] is False
        assert change["asOf"] == today.isoformat()
        assert [r["sanctionId"] for r in change["reasons"]] == ["live-001"]
        with pytest.raises(queue.Empty):  # nothing for the other vendor
            elsewhere.next_payload(timeout=2)
