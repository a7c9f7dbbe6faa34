"""What a database owner can do past the append-only trigger, `verify` finds: each kind of
edit is named at the first event that no longer matches its chain."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from functools import partial

import asyncpg
import pytest

from services.cli import rebuilding
from services.events.catalog import parse_event
from services.ingest.handlers import ingest_batch
from services.platform.consuming import checked_replay
from services.platform.consuming.rebuilding import BrokenChain
from services.platform.eventstore import chain, chain_checks, event_reads, event_store, verification
from services.platform.eventstore.chain_watch import ChainWatch
from services.platform.eventstore.event_store import content_hash
from services.platform.eventstore.walk_beside import WalkFailed, walk_in_child
from services.platform.operations.liveness import health_report
from services.platform.operations.outages import is_outage
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.live_consumers import applied_live
from tests.support.processes import run_cli
from tests.support.tampering import as_owner, first_problem

pytestmark = pytest.mark.postgres

PARTITION = chain.partition_of(case_b.VENDOR)
# Vendors that share vendor B's partition, so that its chain has several links to break.
NEIGHBOURS = [v for v in (f"vendor-{i}" for i in range(200)) if chain.partition_of(v) == PARTITION][
    :4
]


@pytest.fixture
async def stored(pool: asyncpg.Pool, database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """The log, and the live state made of it (which a rebuild reproduces)."""
    events = [case_b.registered(), *(case_b.another_vendor(v) for v in NEIGHBOURS)]
    events += [case_b.suspended(), *(case_b.another_vendor(f"elsewhere-{i}") for i in range(6))]
    await ingest_batch(pool, [case_b.line(e) for e in events])
    await applied_live(pool, database_url)
    before = await verification.verify(pool)
    assert before.intact, before.problems
    yield pool


async def _row(pool: asyncpg.Pool, seq: int) -> asyncpg.Record:
    row = await pool.fetchrow(
        "SELECT position, event_id::text, event_type FROM event_store"
        " WHERE partition = $1 AND seq = $2",
        PARTITION,
        seq,
    )
    assert row is not None
    return row


async def test_an_edited_payload_is_named(stored: asyncpg.Pool) -> None:
    sanction = await stored.fetchrow(
        "SELECT seq, event_id::text FROM event_store WHERE event_type = 'sanction.imposed'"
    )
    assert sanction is not None
    await as_owner(
        stored,
        "UPDATE event_store SET envelope = jsonb_set(envelope, '{payload,duration_months}', '9')"
        " WHERE event_type = 'sanction.imposed'",
    )
    problem = await first_problem(stored)
    assert f"seq {sanction['seq']}" in problem and sanction["event_id"] in problem
    assert "content was changed" in problem


async def test_an_edited_vendor_id_column_is_named(stored: asyncpg.Pool) -> None:
    target = await _row(stored, 2)
    await as_owner(
        stored,
        f"UPDATE event_store SET vendor_id = 'ghost' WHERE event_id = '{target['event_id']}'",
    )
    problem = await first_problem(stored)
    assert target["event_id"] in problem and "vendor_id column was changed" in problem


async def test_a_sanction_moved_to_another_vendor_is_named(stored: asyncpg.Pool) -> None:
    """The edit the risk rebuild used to follow silently: the sanction now names vendor 1."""
    moved_to = NEIGHBOURS[0]
    sanction = await stored.fetchval(
        "SELECT event_id::text FROM event_store WHERE event_type = 'sanction.imposed'"
    )
    await as_owner(
        stored,
        f"UPDATE event_store SET vendor_id = '{moved_to}',"
        f" envelope = jsonb_set(envelope, '{{vendor_id}}', '\"{moved_to}\"')"
        f" WHERE event_id = '{sanction}'",
    )
    problem = await first_problem(stored)
    assert sanction in problem and "content was changed" in problem


async def test_a_deleted_row_is_named_by_the_event_after_it(stored: asyncpg.Pool) -> None:
    deleted, after = await _row(stored, 2), await _row(stored, 3)
    await as_owner(stored, f"DELETE FROM event_store WHERE event_id = '{deleted['event_id']}'")
    problem = await first_problem(stored)
    assert after["event_id"] in problem and "follows seq 1: events are missing" in problem
    await _orders_not_accused(stored, deleted["event_id"])


async def test_a_deleted_first_row_is_named_as_the_partition_s_first_event_missing(
    stored: asyncpg.Pool,
) -> None:
    # It read "follows seq 0", a seq no event has.
    first, after = await _row(stored, 1), await _row(stored, 2)
    await as_owner(stored, f"DELETE FROM event_store WHERE event_id = '{first['event_id']}'")
    problem = await first_problem(stored)
    assert after["event_id"] in problem
    assert problem.endswith("the partition's first event is missing (seq 1)")
    await _orders_not_accused(stored, first["event_id"])


async def _orders_not_accused(pool: asyncpg.Pool, removed: str) -> None:
    """An event removed from the log, its order rows in the middle of their blocks: the
    orders are as they were sealed (the event's rows left out, each block read as edited:
    "recorded order of registry, partition 4, order row 1 …: the rows from here to order row
    12 no longer match their seal"); the log names the removal, and the ledgers' check the
    rows naming the event."""
    problems = [str(p) for p in (await verification.verify(pool)).problems]
    assert problems[0].startswith(f"partition {PARTITION}, seq "), problems
    assert not [p for p in problems if p.startswith("recorded order")], problems
    assert any(
        "its recorded order names are not in the log" in p and removed in p for p in problems
    ), problems


async def test_a_row_deleted_from_the_end_shows_at_the_head(stored: asyncpg.Pool) -> None:
    last = await stored.fetchval("SELECT max(seq) FROM event_store WHERE partition = $1", PARTITION)
    await as_owner(
        stored, f"DELETE FROM event_store WHERE partition = {PARTITION} AND seq = {last}"
    )
    problems = [str(p) for p in (await verification.verify(stored)).problems]
    assert f"partition {PARTITION}" in problems[0] and f"head records seq {last}" in problems[0]
    # The recorded orders are as they were sealed, the last sealed row naming the removed
    # event: the ledgers' check names it. They read as rows inserted after the last seal
    # (registry's), and as rows removed from the order's end (risk's, whose block was that
    # row alone).
    assert not [p for p in problems if p.startswith("recorded order")], problems
    assert any("its recorded order names are not in the log" in p for p in problems)


async def test_a_head_whose_hash_alone_differs_is_said_so(stored: asyncpg.Pool) -> None:
    """It read "the chain ends at seq 7 but its head records seq 7": events removed."""
    last = await stored.fetchval("SELECT max(seq) FROM event_store WHERE partition = $1", PARTITION)
    await stored.execute(
        "UPDATE event_chain_heads SET chain_hash = repeat('a', 64) WHERE partition = $1", PARTITION
    )
    problems = [str(p) for p in (await verification.verify(stored)).problems]
    assert problems == [
        f"partition {PARTITION}: its head records seq {last}, where the chain ends, but not the"
        " chain hash of that last event: the last event was replaced, or the head was changed"
    ]


async def test_two_swapped_rows_are_named_at_the_first(stored: asyncpg.Pool) -> None:
    second, third = await _row(stored, 2), await _row(stored, 3)
    swap = """UPDATE event_store AS s SET event_id = o.event_id, event_type = o.event_type,
                  vendor_id = o.vendor_id, envelope = o.envelope, content_hash = o.content_hash
              FROM event_store AS o
              WHERE s.partition = {p} AND o.partition = {p}
                AND ((s.seq = 2 AND o.seq = 3) OR (s.seq = 3 AND o.seq = 2))"""
    await as_owner(
        stored,
        "ALTER TABLE event_store DROP CONSTRAINT event_store_event_id_key",
        swap.format(p=PARTITION),
        "ALTER TABLE event_store ADD CONSTRAINT event_store_event_id_key UNIQUE (event_id)",
    )
    problem = await first_problem(stored)
    # Seq 2 now holds the third event: the chain breaks exactly there.
    assert "seq 2 " in problem and third["event_id"] in problem
    assert second["event_id"] != third["event_id"]
    assert "does not follow the event before it" in problem


async def test_two_swapped_positions_are_named_at_the_later_seq(stored: asyncpg.Pool) -> None:
    """The chain does not cover `position`, but the event lists order by it: swapped, they
    would show two events out of chain order while every link still holds."""
    second, third = await _row(stored, 2), await _row(stored, 3)
    await as_owner(
        stored,
        f"UPDATE event_store SET position = -1 WHERE event_id = '{second['event_id']}'",
        f"UPDATE event_store SET position = {second['position']}"
        f" WHERE event_id = '{third['event_id']}'",
        f"UPDATE event_store SET position = {third['position']}"
        f" WHERE event_id = '{second['event_id']}'",
    )
    problem = await first_problem(stored)
    assert f"seq 3 (position {second['position']}, event {third['event_id']})" in problem
    assert f"not after that of seq 2 ({third['position']})" in problem
    assert "positions were changed" in problem


async def test_recorded_at_may_go_back_along_seq_in_an_intact_log(pool: asyncpg.Pool) -> None:
    """Why `verify` does not check that `recorded_at` rises with seq (ARCHITECTURE.md, "The
    event store and its chain"; each row's link covers its own): it is the appending
    transaction's start, so one that began first but took the partition's head lock second
    stores the earlier time at the later seq."""
    first, second = (
        parse_event(case_b.line(case_b.another_vendor(v)).decode()) for v in NEIGHBOURS[:2]
    )
    async with (
        pool.acquire() as began_first,
        pool.acquire() as appended_first,
        began_first.transaction(),
    ):
        await began_first.fetchval("SELECT 1")  # its now() is fixed here
        async with appended_first.transaction():
            await event_store.append_batch(appended_first, [second])
        await event_store.append_batch(began_first, [first])
    times = await pool.fetch(
        "SELECT recorded_at FROM event_store WHERE partition = $1 ORDER BY seq", PARTITION
    )
    assert times[1]["recorded_at"] < times[0]["recorded_at"]
    assert (await verification.verify(pool)).intact


async def test_an_inserted_row_is_named(stored: asyncpg.Pool) -> None:
    """A forged event appended with a well-made link: the head still ends the chain earlier."""
    head = await stored.fetchrow(
        "SELECT seq, chain_hash FROM event_chain_heads WHERE partition = $1", PARTITION
    )
    assert head is not None
    forged = case_b.suspended(sanction_id="forged-1")
    text = case_b.line(forged).decode()
    event = parse_event(text)
    digest = content_hash(event)
    recorded_at = dt.datetime.now(dt.UTC)
    link = chain.link(
        PARTITION, head["seq"] + 1, head["chain_hash"], digest, chain.recorded_micros(recorded_at)
    )
    async with stored.acquire() as conn:
        await conn.execute(
            """INSERT INTO event_store (event_id, event_type, vendor_id, occurred_at, recorded_at,
                   envelope, content_hash, partition, seq, chain_hash, chain_version)
               VALUES ($1, 'sanction.imposed', $2, $3, $4, $5::jsonb, $6, $7, $8, $9, 2)""",
            forged["event_id"],
            case_b.VENDOR,
            event.occurred_at,  # every column as an append writes it: only the head tells
            recorded_at,
            text,
            digest,
            PARTITION,
            head["seq"] + 1,
            link,
        )
    problem = await first_problem(stored)
    assert f"partition {PARTITION}" in problem and "the chain ends at seq" in problem


async def test_a_ledger_entry_for_an_event_not_in_the_log_is_named(stored: asyncpg.Pool) -> None:
    await stored.execute(
        "INSERT INTO processed_events (consumer, event_id)"
        " VALUES ('risk', '00000000-0000-4000-8000-000000000001')"
    )
    problem = await first_problem(stored)
    assert problem.startswith("ledger of risk") and "not in the log" in problem


async def test_a_refused_ledger_entry_for_an_event_not_in_the_log_is_called_refused(
    stored: asyncpg.Pool,
) -> None:
    """It was counted among the "applied event(s)" whatever its flag."""
    unknown = "00000000-0000-4000-8000-000000000001"
    await stored.execute(
        "INSERT INTO processed_events (consumer, event_id, refused) VALUES ('risk', $1, true)",
        uuid.UUID(unknown),
    )
    problems = [str(p) for p in (await verification.verify(stored)).problems]
    assert f"ledger of risk: 1 refused event(s) are not in the log (e.g. {unknown})" in problems
    assert not [p for p in problems if "applied event(s) are not in the log" in p], problems


async def test_processes_report_the_last_walk_and_walk_once_per_interval(
    stored: asyncpg.Pool, database_url: str
) -> None:
    first, second = ChainWatch(database_url), ChainWatch(database_url)
    checked = await first.look(stored)
    assert checked is not None and checked.intact
    assert (await first.report(partial(chain_checks.latest, stored), 5))["status"] == "intact"
    # Another process within the interval reads that result rather than walking again.
    assert await second.look(stored) == checked
    assert await stored.fetchval("SELECT count(*) FROM chain_verifications") == 1

    await as_owner(stored, 'UPDATE event_store SET envelope = envelope || \'{"source": "x"}\'')
    due = ChainWatch(database_url, every=dt.timedelta(0))
    broken = await due.look(stored)
    assert broken is not None and not broken.intact
    report = await due.report(partial(chain_checks.latest, stored), 5)
    assert report["status"] == "broken" and "content was changed" in report["first_problem"]
    status, body = health_report([], report)
    assert status == 200 and body["chain"]["status"] == "broken"


async def test_a_rebuild_refuses_an_edited_log_and_leaves_every_projection_as_it_was(
    stored: asyncpg.Pool, database_url: str
) -> None:
    """Rebuilding would make the edit the truth: the rebuild refuses, naming the event, and
    nothing it replayed meanwhile is kept; told to (--force), it replays the log as it is."""
    settings = Settings(database_url=database_url)
    everything = list(rebuilding.PROJECTIONS)
    await rebuilding.rebuild(settings, everything, force=False)  # the projections, from the log
    sanctions = "SELECT sanction_id, duration_months FROM registry_sanctions"
    ledgers = "SELECT consumer, count(*) FROM processed_events GROUP BY consumer ORDER BY 1"
    before = (await stored.fetch(sanctions), await stored.fetch(ledgers))
    assert [tuple(r) for r in before[0]] == [("city-2022-001", 18)]
    await as_owner(
        stored,
        "UPDATE event_store SET envelope = jsonb_set(envelope, '{payload,duration_months}', '9')"
        " WHERE event_type = 'sanction.imposed'",
    )

    with pytest.raises(BrokenChain, match="content was changed after it was recorded"):
        await rebuilding.rebuild(settings, everything, force=False)
    assert (await stored.fetch(sanctions), await stored.fetch(ledgers)) == before

    # A process of its own: this one holds the events as ingest parsed them, before the edit.
    forced = await asyncio.to_thread(run_cli, "rebuild", "--force", "--database-url", database_url)
    assert forced.returncode == 0, forced.stderr
    assert [tuple(r) for r in await stored.fetch(sanctions)] == [("city-2022-001", 9)]


async def test_a_forced_rebuild_goes_past_a_walk_that_could_not_be_made(
    stored: asyncpg.Pool, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk's child killed, or without a connection: a rebuild is refused, as it is from a
    broken log; forced, it replays all the same and says the log was not verified (--force
    must not depend on the walk it overrides; a reviewer's finding)."""

    async def killed(_: str) -> object:
        raise WalkFailed("its process ended (-9) without an answer")

    monkeypatch.setattr(checked_replay, "walk_in_child", killed)
    settings = Settings(database_url=database_url)
    everything = list(rebuilding.PROJECTIONS)
    ledgers = "SELECT consumer, event_id FROM processed_events ORDER BY 1, 2"
    before = await stored.fetch(ledgers)
    with pytest.raises(WalkFailed, match="could not be verified"):
        await rebuilding.rebuild(settings, everything, force=False)
    assert await stored.fetch(ledgers) == before
    rebuilt = await rebuilding.rebuild(settings, everything, force=True)
    assert rebuilt.log.overridden == ("not verified: its process ended (-9) without an answer",)
    assert rebuilt.log.numbered == rebuilt.log.passed.read
    assert await stored.fetchval("SELECT count(*) FROM registry_vendors") == 1 + len(NEIGHBOURS) + 6


async def test_a_walk_that_cannot_reach_postgresql_is_an_outage_to_wait_out() -> None:
    """The walk's child needs a connection of its own: failing to get one must not count
    against the process's health (a stall, /healthz 503, a restart that mends nothing)."""
    with pytest.raises(WalkFailed, match="could not be verified") as failed:
        await walk_in_child("postgresql://nobody@127.0.0.1:1/nothing")
    assert is_outage(failed.value)


async def test_readers_name_a_stored_event_this_version_cannot_read(
    stored: asyncpg.Pool, database_url: str
) -> None:
    """A row that is no longer an event this version knows (a newer version wrote it, or it
    was edited): the log's readers stop there, skipping nothing, and say which it is and
    what to do (the consumers' liveness and log carry it; a rebuild told to replay the log
    as it is stops with it, changing nothing)."""
    sanction = await stored.fetchrow(
        "SELECT seq FROM event_store WHERE event_type = 'sanction.imposed'"
    )
    assert sanction is not None
    # Not a hash this process holds parsed: the reader parses the stored text.
    await as_owner(
        stored,
        "UPDATE event_store SET envelope = jsonb_set(envelope, '{payload,duration_months}',"
        " '\"eighteen\"'), content_hash = 'edited' WHERE event_type = 'sanction.imposed'",
    )
    async with stored.acquire() as conn:
        with pytest.raises(event_reads.UnreadableStoredEvent) as raised:
            await event_reads.read_after(conn, event_reads.Cursor(), 1_000)
    assert str(raised.value).startswith(
        f"the stored event at partition {PARTITION}, seq {sanction['seq']} cannot be read by"
        " this version: if a newer version wrote it, upgrade this process; `vendorwatch"
        " verify` checks the log for edits. Why: payload.duration_months: "
    )
    # Unforced, a rebuild that meets the row waits for the walk of the chains, which names it.
    with pytest.raises(BrokenChain, match="its content is no longer a valid event"):
        await rebuilding.rebuild(Settings(database_url=database_url), ["registry"], force=False)
    forced = await asyncio.to_thread(run_cli, "rebuild", "--force", "--database-url", database_url)
    assert forced.returncode == 1
    assert forced.stderr.startswith(f"Error: {raised.value}"), forced.stderr


async def test_a_recorded_order_naming_an_event_not_in_the_log_is_named(
    stored: asyncpg.Pool,
) -> None:
    await stored.execute(
        "ALTER TABLE claim_order DISABLE TRIGGER claim_order_sealed;"  # as an owner can
        " INSERT INTO claim_order (consumer, event_id)"
        " VALUES ('registry', '00000000-0000-4000-8000-000000000002')"
    )
    problem = await first_problem(stored)
    assert problem.startswith("ledger of registry") and "its recorded order names" in problem
