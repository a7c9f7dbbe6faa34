"""An auditor finding out why a vendor's events were refused, over HTTP on the whole ASGI app
and a real PostgreSQL: `deadLetters` filtered by vendor (input refused at ingest included,
which no vendor's timeline shows), stage, event type and when they were recorded, each
letter naming its vendor; and a page of a filter reads its own rows, not every letter."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.consuming import dead_letters
from services.platform.postgres.database import Connection as Database
from services.platform.security.auth import Role
from tests.support import case_b
from tests.support.event_examples import envelope, example
from tests.support.in_process_api import over_http
from tests.support.principals import token
from tests.support.registry_db import rejection

pytestmark = pytest.mark.postgres

AUDITOR = token(Role.AUDITOR, ())
LETTERS = """
query ($vendorId: ID, $stage: Stage, $eventType: String, $from: DateTime, $before: DateTime,
       $first: Int! = 50, $after: String) {
  deadLetters(vendorId: $vendorId, stage: $stage, eventType: $eventType, recordedFrom: $from,
              recordedBefore: $before, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { stage reason eventType vendorId } }
  }
}"""
# Refused by the registry: an award to a vendor it does not know.
AWARD = envelope("contract.awarded", example("contract.awarded"), "vendor-unknown")
# Refused at ingest, before any log held them: a sanction without its id, naming its vendor,
# a line that is no JSON, and one naming a vendor with what is no vendor id.
NO_SANCTION_ID = {**case_b.suspended(), "payload": {"kind": "bid_suspension"}}
BROKEN = b'{"vendor_id": "vendor-b", "event_type": '
NOT_AN_ID = json.dumps({"vendor_id": "vendor b/2", "event_type": "no.such_type"}).encode()
# Nothing an input holds may fail its letter: nesting deeper than PostgreSQL's JSON parser
# goes, a NUL in the vendor's id.
TOO_DEEP = b'{"vendor_id": "vendor-b", "x": ' + b"[" * 300_000
WITH_NUL = json.dumps({"vendor_id": "vendor-b\u0000"}).encode()


async def graphql(pool: asyncpg.Pool, query: str, **variables: Any) -> dict[str, Any]:
    body = await over_http(pool, AUDITOR, query, **variables)
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


async def letters(pool: asyncpg.Pool, **variables: Any) -> dict[str, Any]:
    page: dict[str, Any] = (await graphql(pool, LETTERS, **variables))["deadLetters"]
    return page


async def refuse_all(pool: asyncpg.Pool) -> None:
    await ingest_batch(pool, [case_b.line(NO_SANCTION_ID), BROKEN, NOT_AN_ID, TOO_DEEP, WITH_NUL])
    await rejection(pool, AWARD)


async def test_a_vendors_dead_letters_are_found_by_its_id_ingest_refusals_included(
    pool: asyncpg.Pool,
) -> None:
    await refuse_all(pool)
    page = await letters(pool, vendorId=case_b.VENDOR)
    (ingest,) = [edge["node"] for edge in page["edges"]]
    assert page["totalCount"] == 1
    assert ingest["stage"] == "INGEST" and "payload.sanction_id" in ingest["reason"]
    assert (ingest["vendorId"], ingest["eventType"]) == (case_b.VENDOR, "sanction.imposed")
    page = await letters(pool, vendorId="vendor-unknown")
    assert [e["node"]["stage"] for e in page["edges"]] == ["REGISTRY"]
    assert page["edges"][0]["node"]["vendorId"] == "vendor-unknown"
    # Input too broken to say (no JSON; a vendor named by what is no vendor id) names none.
    everything = await letters(pool)
    named = sorted(str(e["node"]["vendorId"]) for e in everything["edges"])
    assert named == ["None", "None", "None", "None", case_b.VENDOR, "vendor-unknown"]
    assert (await letters(pool, vendorId="vendor b/2"))["edges"] == []


async def test_dead_letters_are_filtered_by_stage_event_type_and_when_recorded(
    pool: asyncpg.Pool,
) -> None:
    await refuse_all(pool)
    ingest = await letters(pool, stage="INGEST")
    assert ingest["totalCount"] == 5 and len(ingest["edges"]) == 5
    registry = await letters(pool, stage="REGISTRY", eventType="contract.awarded")
    assert registry["totalCount"] == 1
    assert [e["node"]["vendorId"] for e in registry["edges"]] == ["vendor-unknown"]
    assert (await letters(pool, eventType="contract.awarded", stage="INGEST"))["edges"] == []
    moments = await pool.fetch("SELECT recorded_at FROM dead_letters ORDER BY recorded_at")
    first, last = moments[0]["recorded_at"], moments[-1]["recorded_at"]
    assert first < last  # two transactions: the ingest batch, the registry's
    since_last = await letters(pool, **{"from": last.isoformat()})
    assert [e["node"]["stage"] for e in since_last["edges"]] == ["REGISTRY"]
    before_last = await letters(pool, before=last.isoformat())
    assert before_last["totalCount"] == 5
    assert {e["node"]["stage"] for e in before_last["edges"]} == {"INGEST"}
    later = (last + dt.timedelta(seconds=1)).isoformat()
    assert (await letters(pool, **{"from": later}))["totalCount"] == 0


async def test_a_filtered_list_pages_on(pool: asyncpg.Pool) -> None:
    await refuse_all(pool)
    first = await letters(pool, stage="INGEST", first=2)
    assert first["pageInfo"]["hasNextPage"] is True and len(first["edges"]) == 2
    rest = await letters(pool, stage="INGEST", first=3, after=first["pageInfo"]["endCursor"])
    assert rest["pageInfo"]["hasNextPage"] is False and len(rest["edges"]) == 3
    seen = [json.dumps(e["node"]) for e in first["edges"] + rest["edges"]]
    assert len(set(seen)) == 5


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"eventType": "no.such_type"}, "eventType: unknown event type 'no.such_type'"),
        (
            {"from": "2026-12-05T10:00:00Z", "before": "2026-12-05T09:00:00Z"},
            "recordedBefore: 2026-12-05T09:00:00+00:00 is not after recordedFrom",
        ),
    ],
    ids=["unknown-type", "empty-range"],
)
async def test_a_filter_no_letter_could_match_is_refused_naming_it(
    pool: asyncpg.Pool, variables: dict[str, str], message: str
) -> None:
    body = await over_http(pool, AUDITOR, LETTERS, **variables)
    (error,) = body["errors"]
    assert error["message"].startswith(message)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "filters",
    [
        dead_letters.Filters(vendor_id="vendor-b"),
        dead_letters.Filters(stage="registry"),
        dead_letters.Filters(event_type="sanction.imposed"),
        dead_letters.Filters(recorded_before=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)),
        dead_letters.Filters(vendor_id="vendor-b", stage="ingest"),
    ],
    ids=["vendor", "stage", "event-type", "time-range", "vendor-and-stage"],
)
async def test_a_filtered_page_reads_its_own_rows_not_every_letter(
    pool: asyncpg.Pool, filters: dead_letters.Filters
) -> None:
    """3,000 letters of other vendors, stages, types and moments, newer than the ones asked
    for: the page's plan reads the few that match, by an index."""
    others = [
        dead_letters.DeadLetter(
            "ingest",
            "refused",
            json.dumps({"vendor_id": f"other-{n}", "event_type": "vendor.registered"}),
        )
        for n in range(3000)
    ]
    async with pool.acquire() as conn:
        # The letters asked for, recorded long ago, older than every other.
        for stage, body in [("ingest", "a"), ("registry", "b"), ("ingest", "c")]:
            raw = json.dumps({"vendor_id": "vendor-b", "event_type": "sanction.imposed", "x": body})
            await conn.execute(
                """INSERT INTO dead_letters (stage, event_type, reason, raw, raw_hash, recorded_at)
                   VALUES ($1, 'sanction.imposed', 'refused', $2, md5($2), '1999-01-01Z')""",
                stage,
                raw,
            )
        await dead_letters.record_many(conn, others)
        await conn.execute("ANALYZE dead_letters")
        read = await rows_read(conn, filters)
        page = await dead_letters.latest(conn, 2, None, filters)
    assert 1 <= len(page) <= 2
    assert read <= 4, f"read {read} rows for a page of {len(page)}"


async def rows_read(conn: Database, filters: dead_letters.Filters) -> int:
    """The rows the plan of `latest`'s page of 2 read from the table or its indexes."""
    (plan,) = json.loads(
        await conn.fetchval(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + dead_letters.PAGE + " ",
            3,
            None,
            *dead_letters.arguments(filters),
        )
    )

    def scanned(node: dict[str, Any]) -> int:
        own = 0
        if "Scan" in node["Node Type"] and node.get("Relation Name") == "dead_letters":
            own = node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
            own += node.get("Rows Removed by Index Recheck", 0)
        return own + sum(scanned(child) for child in node.get("Plans", []))

    return scanned(plan["Plan"])
