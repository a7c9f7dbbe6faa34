"""Ingest against a real PostgreSQL: accepted once, bad input dead-lettered with its reason."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import pytest

from services.ingest.handlers import Accepted, Rejected, ingest, ingest_batch
from services.platform import dead_letters
from services.platform.database import Connection
from tests.support import case_b

pytestmark = pytest.mark.postgres


async def test_valid_event_is_stored_once_and_a_resend_changes_nothing(
    pool: asyncpg.Pool,
) -> None:
    raw = case_b.line(case_b.registered())
    first, second = await ingest_batch(pool, [raw, raw])
    assert isinstance(first, Accepted) and first.new
    assert isinstance(second, Accepted) and not second.new
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 1
    assert await pool.fetchval("SELECT count(*) FROM dead_letters") == 0


async def test_reused_event_id_with_other_content_is_refused(pool: asyncpg.Pool) -> None:
    original = case_b.registered()
    altered = {**original, "source": "someone.else"}
    outcomes = await ingest_batch(pool, [case_b.line(original), case_b.line(altered)])
    assert isinstance(outcomes[1], Rejected)
    assert "already accepted with different content" in outcomes[1].reason
    stored = await pool.fetchval("SELECT envelope->>'source' FROM event_store")
    assert stored == "city.procurement"


@pytest.mark.parametrize(
    ("raw", "reason_part"),
    [
        (b"{not json", "not a JSON object"),
        (b"[1, 2]", "not a JSON object"),
        (
            case_b.line({**case_b.registered(), "event_type": "vendor.teleported"}),
            "unknown event type 'vendor.teleported'",
        ),
        (
            case_b.line({**case_b.suspended(), "payload": {"kind": "bid_suspension"}}),
            "payload.sanction_id",
        ),
    ],
    ids=["malformed-json", "not-an-object", "unknown-type", "missing-field"],
)
async def test_bad_input_is_dead_lettered_and_the_next_valid_event_still_accepted(
    pool: asyncpg.Pool, raw: bytes, reason_part: str
) -> None:
    valid = case_b.line(case_b.registered())
    outcomes = await ingest_batch(pool, [raw, valid])
    assert isinstance(outcomes[0], Rejected)
    assert isinstance(outcomes[1], Accepted)
    async with pool.acquire() as conn:
        (letter,) = await dead_letters.latest(conn, 10)
    assert letter.stage == "ingest"
    assert reason_part in letter.reason
    assert letter.raw == raw.decode()
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 1


async def test_event_store_is_append_only(pool: asyncpg.Pool) -> None:
    await ingest_batch(pool, [case_b.line(case_b.registered())])
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await pool.execute("UPDATE event_store SET vendor_id = 'other'")
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await pool.execute("DELETE FROM event_store")


async def test_nul_bytes_in_bad_input_are_kept_readable(pool: asyncpg.Pool) -> None:
    await ingest_batch(pool, [b'{"event_type": "x\x00"}'])
    raw = await pool.fetchval("SELECT raw FROM dead_letters")
    assert json.loads(raw) == {"event_type": "x\x00"}


async def test_appends_commit_in_position_order(pool: asyncpg.Pool) -> None:
    """A later append waits for an earlier one still in flight, so a consumer tailing
    "position > last seen" can never see position N+1 before N and skip N for good."""
    first, second = case_b.registered(), case_b.another_vendor("vendor-c")
    async with pool.acquire() as slow:
        transaction = slow.transaction()
        await transaction.start()
        await _ingest_one(slow, first)  # holds a lower position, not committed yet
        racing = asyncio.create_task(ingest_batch(pool, [case_b.line(second)]))
        await asyncio.sleep(0.3)
        assert not racing.done(), "a later append committed before an earlier one"
        await transaction.commit()
    await racing
    rows = await pool.fetch("SELECT event_id::text FROM event_store ORDER BY position")
    assert [r["event_id"] for r in rows] == [first["event_id"], second["event_id"]]


async def _ingest_one(conn: Connection, event: dict[str, object]) -> None:
    outcome = await ingest(conn, case_b.line(event))
    assert isinstance(outcome, Accepted)
