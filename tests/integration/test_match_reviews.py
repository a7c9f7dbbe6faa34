"""Review decisions on possible matches (`reviewMatch`, `vendor.match_reviewed`) on a real
PostgreSQL and its embedded event log: a "not the same firm" decision stops the flag in the
next screening of the same name and address, a new sanction on that vendor brings it back
(saying why); a confirmation answers the bidder as the vendor and gives the vendor the name
and identifier; the decision is in the vendor's timeline and the audit trail with who and why;
nobody can claim to have decided through raw input, nor decide for every agency without
keeping vendor records; a rebuild gives the same decisions back."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import asyncpg
import pytest

from services.cli import rebuilding
from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import EmbeddedEventLog, drain
from services.platform.security.auth import Principal, Role
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.event_examples import envelope
from tests.support.in_process_api import SCHEMA, execute, graphql, shared_context
from tests.support.registry import REGISTRY

pytestmark = pytest.mark.postgres

OFFICER = Principal("officer@city", Role.PROCUREMENT_OFFICER, ())
DAY = "2023-03-01"  # B is suspended (2022-07-09 to 2024-01-08)
# Another firm whose name scores as B's (ビーシステム) at the review threshold.
OTHER_FIRM = "ビーシステムズ株式会社"
ADDRESS = "北浜市港町3-1"
LEI = "7LTWFZYICNSX8D621K86"

SCREEN = """query ($bidders: [BidderInput!]!) {
  screenBidders(bidders: $bidders, asOf: "2023-03-01") {
    ref status vendorId eligibility { eligible reasons { sanctionId } }
    candidates { vendorId }
    reviews { vendorId decision reason recordedBy recordedAt eventId voided }
  } }"""
REVIEW = """mutation ($vendorId: ID!, $payload: VendorMatchReviewedInput!) {
  reviewMatch(vendorId: $vendorId, payload: $payload) {
    accepted eventId errors { field message } } }"""
TIMELINE = """query ($vendorId: ID!) {
  events(vendorId: $vendorId) { edges { node {
    eventId eventType recordedBy { subject role } payload } } } }"""
AUDIT = """query ($subject: String) {
  auditTrail(subject: $subject) { edges { node { eventId eventType vendorId payload } } } }"""


async def submit(pool: asyncpg.Pool, *events: dict[str, Any]) -> None:
    """As a producer sends them (the raw entrance), then applied by the registry."""
    await EmbeddedEventLog(pool, ingest_batch).submit([case_b.line(e) for e in events])
    await drain(pool, REGISTRY)


async def screen(pool: asyncpg.Pool, *bidders: dict[str, Any]) -> dict[str, dict[str, Any]]:
    answers = (await execute(pool, SCREEN, bidders=list(bidders)))["screenBidders"]
    return {a["ref"]: a for a in answers}


async def review(pool: asyncpg.Pool, decision: str, **bidder: Any) -> dict[str, Any]:
    """`reviewMatch` of B as the officer, then applied by the registry; the receipt."""
    payload = {"decision": decision, "bidderName": OTHER_FIRM, **bidder}
    payload.setdefault("reason", "Checked the commercial register: another firm.")
    receipt: dict[str, Any] = (
        await execute(pool, REVIEW, OFFICER, vendorId=case_b.VENDOR, payload=payload)
    )["reviewMatch"]
    await drain(pool, REGISTRY)
    return receipt


def by_name(ref: str, address: str | None = ADDRESS, country: str | None = "JP") -> dict[str, Any]:
    return {"ref": ref, "name": OTHER_FIRM, "country": country, "address": address}


async def test_not_the_same_firm_stops_the_flag_until_a_new_sanction_brings_it_back(
    pool: asyncpg.Pool,
) -> None:
    await submit(pool, case_b.registered(), case_b.suspended())
    first = await screen(pool, by_name("here"), by_name("elsewhere", "南山市1-2"))
    assert [c["vendorId"] for c in first["here"]["candidates"]] == [case_b.VENDOR]
    assert first["here"]["status"] == first["elsewhere"]["status"] == "POSSIBLE_MATCH"

    blank = await review(pool, "NOT_SAME", bidderAddress=ADDRESS, reason="  ")
    assert not blank["accepted"] and [e["field"] for e in blank["errors"]] == ["payload.reason"]
    receipt = await review(pool, "NOT_SAME", bidderAddress=ADDRESS, bidderCountry="JP")
    assert receipt["accepted"], receipt["errors"]

    # The same name and address, written otherwise (legal form, full-width digits): not
    # flagged again; the same name at another address still is.
    again = await screen(
        pool,
        {**by_name("here"), "name": "(株)ビーシステムズ", "address": "北浜市港町３－１"},
        by_name("elsewhere", "南山市1-2"),
    )
    assert (again["here"]["status"], again["here"]["candidates"]) == ("UNKNOWN", [])
    (decision,) = again["here"]["reviews"]
    assert decision == {
        **decision,
        "vendorId": case_b.VENDOR,
        "decision": "NOT_SAME",
        "reason": "Checked the commercial register: another firm.",
        "recordedBy": OFFICER.subject,
        "eventId": receipt["eventId"],
        "voided": None,
    }
    assert again["elsewhere"]["status"] == "POSSIBLE_MATCH" and again["elsewhere"]["reviews"] == []

    # B's record changes: the decision no longer holds, and the answer says why.
    await submit(pool, case_b.suspended(sanction_id="city-2023-002"))
    back = (await screen(pool, by_name("here")))["here"]
    assert back["status"] == "POSSIBLE_MATCH"
    assert [c["vendorId"] for c in back["candidates"]] == [case_b.VENDOR]
    (voided,) = back["reviews"]
    assert voided["eventId"] == receipt["eventId"]
    assert voided["voided"].startswith(
        "voided: a new sanction city-2023-002 was imposed on the vendor (event "
    )


async def test_a_country_change_keeps_the_decision_and_a_rename_voids_it(
    pool: asyncpg.Pool,
) -> None:
    await submit(pool, case_b.registered(), case_b.suspended())
    assert (await review(pool, "NOT_SAME", bidderAddress=ADDRESS))["accepted"]
    await submit(pool, envelope("vendor.updated", {"country": "US"}, case_b.VENDOR))
    kept = (await screen(pool, by_name("here", country=None)))["here"]
    assert kept["status"] == "UNKNOWN" and kept["reviews"][0]["voided"] is None
    await submit(pool, case_b.renamed())
    renamed = (await screen(pool, by_name("here", country=None)))["here"]
    assert renamed["status"] == "POSSIBLE_MATCH"
    assert renamed["reviews"][0]["voided"].startswith("voided: the vendor was renamed (event ")


async def test_a_confirmation_that_names_the_vendor_voids_earlier_decisions(
    pool: asyncpg.Pool,
) -> None:
    await submit(pool, case_b.registered(), case_b.suspended())
    assert (await review(pool, "NOT_SAME", bidderAddress=ADDRESS))["accepted"]
    # Another bidder confirmed as B under a name B already has: nothing new, nothing voided.
    same = await review(pool, "CONFIRMED", bidderName="びーしすてむ", reason="B itself.")
    assert same["accepted"], same["errors"]
    assert (await screen(pool, by_name("here")))["here"]["status"] == "UNKNOWN"
    # One under a new name: B has a new alias, so the earlier decision is reviewed again.
    named = await review(pool, "CONFIRMED", bidderName="B Systems Group", reason="B's brand.")
    assert named["accepted"], named["errors"]
    again = (await screen(pool, by_name("here")))["here"]
    assert again["status"] == "POSSIBLE_MATCH"
    assert again["reviews"][0]["voided"].startswith(
        f"voided: a confirmed review gave the vendor a new name or identifier (event"
        f" {named['eventId']}, recorded "
    )


async def test_a_confirmation_answers_the_bidder_as_the_vendor_and_names_it(
    pool: asyncpg.Pool,
) -> None:
    await submit(pool, case_b.registered(), case_b.suspended())
    identifier = {"scheme": "lei", "value": LEI}
    receipt = await review(
        pool,
        "CONFIRMED",
        bidderAddress=ADDRESS,
        bidderIdentifier=identifier,
        reason="Same corporate number in the portal's record: B's sales name.",
    )
    assert receipt["accepted"], receipt["errors"]

    answers = await screen(pool, by_name("named"), {"ref": "by-lei", "identifier": identifier})
    named = answers["named"]
    assert (named["status"], named["vendorId"], named["candidates"]) == (
        "BARRED",
        case_b.VENDOR,
        [],
    )
    assert named["eligibility"] == {"eligible": False, "reasons": [{"sanctionId": "city-2022-001"}]}
    (confirmed,) = named["reviews"]
    assert (confirmed["decision"], confirmed["recordedBy"], confirmed["eventId"]) == (
        "CONFIRMED",
        OFFICER.subject,
        receipt["eventId"],
    )
    assert (answers["by-lei"]["status"], answers["by-lei"]["vendorId"]) == ("BARRED", case_b.VENDOR)
    aliases = await pool.fetch(
        "SELECT name FROM registry_vendor_names WHERE vendor_id = $1 AND kind = 'alias'",
        case_b.VENDOR,
    )
    assert OTHER_FIRM in {r["name"] for r in aliases}

    # In B's timeline and in the audit trail, with who and why.
    timeline = (await execute(pool, TIMELINE, vendorId=case_b.VENDOR))["events"]["edges"]
    (event,) = [e["node"] for e in timeline if e["node"]["eventType"] == "vendor.match_reviewed"]
    assert event["eventId"] == receipt["eventId"]
    assert event["recordedBy"] == {"subject": OFFICER.subject, "role": "PROCUREMENT_OFFICER"}
    assert (
        event["payload"]["reason"]
        == "Same corporate number in the portal's record: B's sales name."
    )
    assert event["payload"]["bidder_identifier"] == identifier
    trail = (await execute(pool, AUDIT, subject=OFFICER.subject))["auditTrail"]["edges"]
    assert [(n["node"]["eventId"], n["node"]["vendorId"]) for n in trail] == [
        (receipt["eventId"], case_b.VENDOR)
    ]


async def test_a_confirmation_cannot_take_another_vendor_s_identifier(pool: asyncpg.Pool) -> None:
    await submit(pool, case_b.registered(), case_b.suspended(), case_b.another_vendor("vendor-x"))
    taken = {"scheme": "internal", "value": "V-0042"}  # B's
    receipt = await execute(
        pool,
        REVIEW,
        OFFICER,
        vendorId="vendor-x",
        payload={
            "decision": "CONFIRMED",
            "bidderName": OTHER_FIRM,
            "bidderIdentifier": taken,
            "reason": "Looked alike.",
        },
    )
    await drain(pool, REGISTRY)
    event_id = receipt["reviewMatch"]["eventId"]
    reason = await pool.fetchval("SELECT reason FROM dead_letters WHERE event_id = $1", event_id)
    assert reason == (
        "payload.bidder_identifier: already belong to another vendor: internal V0042"
        " (vendor vendor-b)"
    )
    assert await pool.fetchval("SELECT count(*) FROM registry_match_reviews") == 0
    names = await pool.fetch("SELECT name FROM registry_vendor_names WHERE vendor_id = 'vendor-x'")
    assert OTHER_FIRM not in {r["name"] for r in names}


async def test_nobody_decides_through_raw_input(pool: asyncpg.Pool) -> None:
    await submit(pool, case_b.registered(), case_b.suspended())
    payload = {"decision": "not_same", "bidder_name": OTHER_FIRM, "reason": "Trust me."}
    forged = envelope("vendor.match_reviewed", payload, case_b.VENDOR) | {
        "recorded_by": {"subject": "officer@city", "role": "procurement_officer"}
    }
    unsigned = envelope("vendor.match_reviewed", payload, case_b.VENDOR)
    await submit(pool, forged, unsigned)
    reasons = {
        r["event_id"]: r["reason"]
        for r in await pool.fetch("SELECT event_id::text, reason FROM dead_letters")
    }
    # Ingest refuses the forgery at the door; the registry, a decision that says no one.
    assert "recorded_by: set only by the API" in reasons[forged["event_id"]]
    assert reasons[unsigned["event_id"]].startswith(
        "recorded_by: a review decision must say who made it"
    )
    assert await pool.fetchval("SELECT count(*) FROM registry_match_reviews") == 0
    flagged = (await screen(pool, {"ref": "x", "name": OTHER_FIRM}))["x"]
    assert flagged["status"] == "POSSIBLE_MATCH" and flagged["reviews"] == []


@pytest.mark.parametrize(
    "principal",
    [
        Principal("owner@shimin", Role.SYSTEM_OWNER, ("市民課",)),
        Principal("authority@city", Role.SANCTION_AUTHORITY, ()),
    ],
    ids=["system_owner", "sanction_authority"],
)
async def test_only_those_who_keep_vendor_records_decide(
    pool: asyncpg.Pool, principal: Principal
) -> None:
    """A decision holds for every agency's screenings and a confirmation names the vendor:
    a system owner (acting for its own agencies) and a sanction authority, who may not
    update a vendor, are refused before anything is recorded."""
    await submit(pool, case_b.registered(), case_b.suspended())
    unrelated = {"scheme": "corporate_number", "value": "3100001234567"}
    decisions = [
        {
            "decision": "CONFIRMED",
            "bidderName": "Totally Innocent Corp",
            "bidderIdentifier": unrelated,
            "reason": "test",
        },
        {"decision": "NOT_SAME", "bidderName": OTHER_FIRM, "bidderAddress": ADDRESS, "reason": "x"},
    ]
    for payload in decisions:
        answer = await graphql(pool, principal, REVIEW, vendorId=case_b.VENDOR, payload=payload)
        assert answer == {
            "data": None,
            "errors": [f"role {principal.role.value} may not use reviewMatch"],
        }
    await drain(pool, REGISTRY)
    assert await pool.fetchval("SELECT count(*) FROM registry_match_reviews") == 0
    answers = await screen(
        pool,
        {"ref": "number", "identifier": unrelated},
        {"ref": "innocent", "name": "Totally Innocent Corp"},
        by_name("flagged"),
    )
    assert answers["number"]["status"] == answers["innocent"]["status"] == "UNKNOWN"
    assert answers["flagged"]["status"] == "POSSIBLE_MATCH"
    assert [c["vendorId"] for c in answers["flagged"]["candidates"]] == [case_b.VENDOR]


async def test_a_rebuild_gives_the_same_decisions_back(
    pool: asyncpg.Pool, database_url: str
) -> None:
    await submit(pool, case_b.registered(), case_b.suspended())
    assert (await review(pool, "NOT_SAME", bidderAddress=ADDRESS))["accepted"]
    assert (await review(pool, "CONFIRMED", bidderAddress="東京都港区1-1"))["accepted"]
    await submit(pool, case_b.suspended(sanction_id="city-2023-002"))
    bidders = [by_name("here"), by_name("tokyo", "東京都港区1-1")]

    async def state() -> str:
        rows = await pool.fetch("SELECT * FROM registry_match_reviews ORDER BY event_id")
        answers = await screen(pool, *bidders)
        return json.dumps([[dict(r) for r in rows], answers], default=str, ensure_ascii=False)

    before = await state()
    rebuilt = await rebuilding.rebuild(
        Settings(database_url=database_url), ["registry"], force=False
    )
    assert rebuilt.read["registry"] == await pool.fetchval("SELECT count(*) FROM event_store")
    assert await state() == before
    # The confirmation gave B the name as an alias: the NOT_SAME decision is voided.
    assert '"voided": "voided: a confirmed review gave the vendor a new name' in before


async def test_decisions_are_read_in_one_statement_whatever_the_list(
    counted: tuple[asyncpg.Pool, list[str]],
) -> None:
    pool, statements = counted
    await submit(pool, case_b.registered(), case_b.suspended())
    assert (await review(pool, "NOT_SAME", bidderAddress=ADDRESS))["accepted"]
    context = dataclasses.replace(shared_context(pool), principal=OFFICER)
    bidders = [by_name(f"b{n}", f"北浜市港町{n}-1") for n in range(200)]
    for listed in (bidders[:1], bidders):
        await SCHEMA.execute(SCREEN, variable_values={"bidders": listed}, context_value=context)
    statements.clear()
    for listed in (bidders[:1], bidders):
        result = await SCHEMA.execute(
            SCREEN, variable_values={"bidders": listed}, context_value=context
        )
        assert result.errors is None and result.data is not None, result.errors
    asked = [s for s in statements if "RESET ALL" not in s]
    # Twice: the name index's catch-up, sanctioned vendors, review decisions, affiliations,
    # sanctions, barred vendors' countries (no ids or identifiers given).
    assert len(asked) == 12, asked
    assert sum("registry_match_reviews" in s for s in asked) == 2
