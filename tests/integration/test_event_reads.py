"""Reading the event store back: every reader gets the events as stored, in log order, whether
this process still holds them parsed from their append (embedded mode) or parses their text."""

from __future__ import annotations

from collections import OrderedDict

import asyncpg
import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.ingest.handlers import ingest_batch
from services.platform.eventstore import event_reads, event_store, parsed_events
from services.platform.eventstore.event_reads import Cursor
from tests.support import case_b
from tests.support.rows_read import rows_read
from tests.support.tampering import as_owner

pytestmark = pytest.mark.postgres

VENDORS = [f"read-{n}" for n in range(12)]


async def _stored(pool: asyncpg.Pool) -> list[EventEnvelope]:
    """The log as its texts say, in log order (parsed here, not by the reader under test)."""
    rows = await pool.fetch("SELECT envelope::text AS text FROM event_store ORDER BY position")
    return [parse_event(row["text"]) for row in rows]


async def _read_all(pool: asyncpg.Pool) -> list[EventEnvelope]:
    async with pool.acquire() as conn:
        return (await event_reads.read_after(conn, Cursor(), 1_000)).events


@pytest.fixture(autouse=True)
def nothing_held(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a fresh process: holding nothing, not known to read the store."""
    monkeypatch.setattr(parsed_events, "_kept", OrderedDict())
    monkeypatch.setattr(parsed_events, "_reading", False)


async def test_events_held_from_the_append_read_as_their_stored_texts(
    pool: asyncpg.Pool,
) -> None:
    assert await _read_all(pool) == []  # a consumer of this process reads the store
    await ingest_batch(pool, [case_b.line(case_b.another_vendor(v)) for v in VENDORS])
    stored = await _stored(pool)
    assert parsed_events.known([event_store.content_hash(e) for e in stored]) == stored
    assert await _read_all(pool) == stored


async def test_a_process_that_only_appends_holds_nothing(pool: asyncpg.Pool) -> None:
    await ingest_batch(pool, [case_b.line(case_b.another_vendor(v)) for v in VENDORS])
    assert not parsed_events._kept
    assert await _read_all(pool) == await _stored(pool)


async def test_a_reader_parses_what_the_process_does_not_hold_and_keeps_log_order(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    await ingest_batch(pool, [case_b.line(case_b.another_vendor(v)) for v in VENDORS])
    stored = await _stored(pool)
    # Another process's view: only every third event held, the others read from their text.
    held = {event_store.content_hash(e): e for e in stored[::3]}
    monkeypatch.setattr(parsed_events, "_kept", OrderedDict(held))
    assert await _read_all(pool) == stored
    # What was parsed is held from then on.
    assert parsed_events.known([event_store.content_hash(e) for e in stored]) == stored


async def test_the_events_held_are_bounded(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parsed_events, "KEPT", 5)
    monkeypatch.setattr(parsed_events, "_reading", True)
    await ingest_batch(pool, [case_b.line(case_b.another_vendor(v)) for v in VENDORS])
    stored = await _stored(pool)
    assert len(parsed_events._kept) == 5
    # The latest appended are the ones held; the reader still gets every event.
    held = parsed_events.known([event_store.content_hash(e) for e in stored])
    assert [e is not None for e in held] == [False] * 7 + [True] * 5
    assert await _read_all(pool) == stored


async def test_a_read_deep_in_the_log_reads_only_what_the_partitions_offer(
    pool: asyncpg.Pool,
) -> None:
    """A consumer's read costs the same wherever it is in the log: each partition's next
    events by its key, not the log walked from its start (the planner did that once the
    log held some thousands of events, and a read 90,000 events in took 99 ms, not 13)."""
    for start in range(0, 12_000, 500):
        vendors = [f"deep-{n}" for n in range(start, start + 500)]
        await ingest_batch(pool, [case_b.line(case_b.another_vendor(v)) for v in vendors])
    await pool.execute("ANALYZE event_store")
    limit = 300
    async with pool.acquire() as conn:
        heads = await event_reads.heads(conn)
        near_the_end = Cursor(tuple(max(0, seq - 100) for seq in heads.seqs))
        read, read_rows = await rows_read(
            conn, "event_store", lambda: event_reads.read_after(conn, near_the_end, limit)
        )
    assert len(read.events) == limit
    # Each partition offers at most `limit` rows, then the texts of those kept are read.
    assert read_rows <= len(heads.seqs) * limit + limit


async def test_a_reader_passes_the_types_it_does_not_apply_by_unread(pool: asyncpg.Pool) -> None:
    """A consumer that applies some event types gets those, in log order, and its cursor goes
    past the others, whose texts it neither reads nor parses (held for nobody after)."""
    sanctioned = VENDORS[::4]
    await ingest_batch(
        pool,
        [case_b.line(case_b.another_vendor(v)) for v in VENDORS]
        + [case_b.line(case_b.suspended(v, sanction_id=f"s-{v}")) for v in sanctioned],
    )
    stored = await _stored(pool)
    async with pool.acquire() as conn:
        read = await event_reads.read_after(conn, Cursor(), 1_000, types={"sanction.imposed"})
        assert read.cursor == await event_reads.heads(conn)
    assert read.events == [e for e in stored if e.event_type == "sanction.imposed"]
    assert [e.vendor_id for e in read.events] == sanctioned
    held = parsed_events.known([event_store.content_hash(e) for e in stored])
    assert [e is not None for e in held] == [e.event_type == "sanction.imposed" for e in stored]


async def test_a_reader_stops_at_a_type_this_version_does_not_know(pool: asyncpg.Pool) -> None:
    """Passing by the types it does not apply, a reader still stops at one this version does
    not know (a newer version wrote it, and may have the reader apply it): skipped, it would
    never be applied after the upgrade."""
    await ingest_batch(pool, [case_b.line(case_b.another_vendor(v)) for v in VENDORS])
    await as_owner(
        pool,
        "UPDATE event_store SET event_type = 'vendor.teleported', content_hash = 'newer',"
        " envelope = jsonb_set(envelope, '{event_type}', '\"vendor.teleported\"')"
        f" WHERE vendor_id = '{VENDORS[5]}'",
    )
    async with pool.acquire() as conn:
        with pytest.raises(event_reads.UnreadableStoredEvent, match="a newer version wrote it"):
            await event_reads.read_after(conn, Cursor(), 1_000, types={"sanction.imposed"})
