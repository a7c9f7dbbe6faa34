"""The chain covers when the log recorded each event (`recorded_at`): rows appended now are
linked by version 2 of the formula, which hashes it, rows of stores written before keep
version 1 and still verify, and a row's version cannot be changed unseen."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.cli import rebuilding
from services.events.catalog import parse_event
from services.ingest.handlers import ingest_batch
from services.platform.consuming.rebuilding import BrokenChain
from services.platform.eventstore import chain, event_store, verification
from services.platform.eventstore.event_store import canonical_json, content_hash
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.processes import run_cli
from tests.support.tampering import as_owner, first_problem

pytestmark = pytest.mark.postgres

PARTITION = chain.partition_of(case_b.VENDOR)
# Vendors that share vendor B's partition, so that its chain has links after the sanction.
NEIGHBOURS = [v for v in (f"vendor-{i}" for i in range(200)) if chain.partition_of(v) == PARTITION][
    :3
]
BACKDATED = "UPDATE event_store SET recorded_at = recorded_at - interval '3 years'"
TIME_CHANGED = "its recorded_at was changed after it was recorded"


@pytest.fixture
async def stored(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Pool]:
    events = [case_b.registered(), case_b.suspended(), *map(case_b.another_vendor, NEIGHBOURS)]
    await ingest_batch(pool, [case_b.line(e) for e in events])
    assert (await verification.verify(pool)).intact
    yield pool


async def _sanction(pool: asyncpg.Pool) -> asyncpg.Record:
    row = await pool.fetchrow(
        "SELECT seq, event_id::text FROM event_store WHERE event_type = 'sanction.imposed'"
    )
    assert row is not None
    return row


async def test_a_backdated_recorded_at_fails_verify_naming_the_event(
    stored: asyncpg.Pool, database_url: str
) -> None:
    """The auditor's case: the suspension's time moved back three years, which a rebuild
    would date and judge it by."""
    sanction = await _sanction(stored)
    await as_owner(stored, f"{BACKDATED} WHERE event_id = '{sanction['event_id']}'")

    done = await asyncio.to_thread(run_cli, "verify", "--database-url", database_url)

    assert done.returncode == 1, done.stderr
    where = f"partition {PARTITION}, seq {sanction['seq']} ("
    assert where in done.stderr and sanction["event_id"] in done.stderr
    assert TIME_CHANGED in done.stderr
    assert "the event after it still follows it, but its own link no longer holds" in done.stderr
    with pytest.raises(BrokenChain, match=TIME_CHANGED):
        await rebuilding.rebuild(Settings(database_url=database_url), ["registry"], force=False)


@pytest.mark.parametrize("edited", ["recorded_at + interval '1 microsecond'", "'infinity'"])
async def test_the_last_event_s_edited_recorded_at_is_named_by_the_head(
    stored: asyncpg.Pool, edited: str
) -> None:
    """No event after it to still follow it: the head, which records its chain hash, does.
    The link holds the time to the microsecond, and any time PostgreSQL stores."""
    last = await stored.fetchrow(
        "SELECT seq, event_id::text FROM event_store WHERE partition = $1"
        " ORDER BY seq DESC LIMIT 1",
        PARTITION,
    )
    assert last is not None
    await as_owner(
        stored,
        f"UPDATE event_store SET recorded_at = {edited} WHERE event_id = '{last['event_id']}'",
    )
    problem = await first_problem(stored)
    assert f"seq {last['seq']} " in problem and last["event_id"] in problem
    assert TIME_CHANGED in problem
    # It said "the event after it still follows it", of an event with none after it.
    assert problem.endswith(
        ": the partition's head still records it, but its own link no longer holds"
    ), problem


async def test_a_downgraded_chain_version_is_named(stored: asyncpg.Pool) -> None:
    """Version 1 does not cover recorded_at, but its chain hash was made by version 2."""
    sanction = await _sanction(stored)
    await as_owner(
        stored,
        f"UPDATE event_store SET chain_version = 1 WHERE event_id = '{sanction['event_id']}'",
    )
    problem = await first_problem(stored)
    assert f"seq {sanction['seq']} " in problem and sanction["event_id"] in problem
    assert "its chain_version was changed from 2 to 1 after it was recorded" in problem


async def _append_as_version_1(pool: asyncpg.Pool, events: list[dict[str, object]]) -> None:
    """Appends as the release before version 2 did: `recorded_at` and `chain_version` left
    to their defaults, each link by version 1."""
    async with pool.acquire() as conn, conn.transaction():
        for event in events:
            envelope = parse_event(case_b.line(event))
            partition = chain.partition_of(envelope.vendor_id)
            head = await conn.fetchrow(
                "SELECT seq, chain_hash FROM event_chain_heads WHERE partition = $1 FOR UPDATE",
                partition,
            )
            assert head is not None
            seq, digest = head["seq"] + 1, content_hash(envelope)
            link = chain.link_v1(partition, seq, head["chain_hash"], digest)
            await conn.execute(
                """INSERT INTO event_store (event_id, event_type, vendor_id, occurred_at,
                       envelope, content_hash, partition, seq, chain_hash)
                   VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9)""",
                envelope.event_id,
                envelope.event_type,
                envelope.vendor_id,
                envelope.occurred_at,
                canonical_json(envelope),
                digest,
                partition,
                seq,
                link,
            )
            await conn.execute(
                "UPDATE event_chain_heads SET seq = $2, chain_hash = $3 WHERE partition = $1",
                partition,
                seq,
                link,
            )


async def test_a_store_with_version_1_rows_then_version_2_rows_verifies_intact(
    pool: asyncpg.Pool,
) -> None:
    await _append_as_version_1(pool, [case_b.registered(), case_b.suspended()])
    async with pool.acquire() as conn, conn.transaction():
        later = [parse_event(case_b.line(case_b.another_vendor(v))) for v in NEIGHBOURS]
        await event_store.append_batch(conn, later)
    versions = await pool.fetch(
        "SELECT chain_version FROM event_store WHERE partition = $1 ORDER BY seq", PARTITION
    )
    assert [r["chain_version"] for r in versions] == [1, 1, 2, 2, 2]
    result = await verification.verify(pool)
    assert result.intact, result.problems

    # And a version-1 row claimed as version 2 is named too.
    sanction = await _sanction(pool)
    await as_owner(
        pool, f"UPDATE event_store SET chain_version = 2 WHERE event_id = '{sanction['event_id']}'"
    )
    problem = await first_problem(pool)
    assert sanction["event_id"] in problem
    assert "its chain_version was changed from 1 to 2 after it was recorded" in problem


async def test_recorded_at_is_the_appending_transaction_s_start(pool: asyncpg.Pool) -> None:
    """Written explicitly now that the link covers it, it keeps the meaning of the column's
    default: the time the transaction began, as the registry's rows dated with it read."""
    envelope = parse_event(case_b.line(case_b.registered()))
    async with pool.acquire() as conn, conn.transaction():
        began = await conn.fetchval("SELECT now()")
        await asyncio.sleep(0.01)
        await event_store.append_batch(conn, [envelope])
    stored = await pool.fetchrow(
        "SELECT recorded_at, (extract(epoch FROM recorded_at) * 1000000)::bigint AS micros"
        " FROM event_store WHERE event_id = $1",
        envelope.event_id,
    )
    assert stored is not None and stored["recorded_at"] == began
    # The form the link hashes, as ARCHITECTURE.md gives it in SQL for an auditor.
    assert chain.recorded_micros(stored["recorded_at"]) == stored["micros"]
