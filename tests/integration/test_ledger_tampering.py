"""What a database owner can do to the consumers' ledgers and offsets, `verify` names, and a
rebuild refuses (the walk beside it runs the same checks): ledger rows removed (a rebuild
replayed what the ledger said was applied, so the event was dropped, silently), refused
flags set by hand, rows added, and offsets moved past the head (the next event appended
there was never applied)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.cli import rebuilding
from services.ingest.handlers import ingest_batch
from services.platform.consuming.rebuilding import BrokenChain
from services.platform.eventlog.embedded import drain
from services.platform.eventstore import chain, verification
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from services.registry.handlers import registry_consumer
from tests.support import case_b
from tests.support.live_consumers import applied_live

pytestmark = pytest.mark.postgres

PARTITION = chain.partition_of(case_b.VENDOR)
# Vendors of vendor B's partition: registrations appended where its offsets are moved.
NEIGHBOURS = [v for v in (f"vendor-{i}" for i in range(200)) if chain.partition_of(v) == PARTITION][
    :3
]
SANCTION = "(SELECT event_id FROM event_store WHERE event_type = 'sanction.imposed')"


@pytest.fixture
async def stored(pool: asyncpg.Pool, database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """Vendor B registered and suspended, and another vendor, applied by every consumer."""
    events = [case_b.registered(), case_b.another_vendor(NEIGHBOURS[0]), case_b.suspended()]
    await ingest_batch(pool, [case_b.line(e) for e in events])
    await applied_live(pool, database_url)
    before = await verification.verify(pool)
    assert before.intact, before.problems
    yield pool


async def _problems(pool: asyncpg.Pool) -> list[str]:
    result = await verification.verify(pool)
    assert not result.intact
    return [str(problem) for problem in result.problems]


async def _sanction(pool: asyncpg.Pool) -> str:
    event_id: str = await pool.fetchval(f"SELECT {SANCTION}::text")
    return event_id


async def test_removed_ledger_rows_are_named_and_a_rebuild_refuses(
    stored: asyncpg.Pool, database_url: str
) -> None:
    """The auditor's case: the suspension's rows gone from the registry's and risk's ledgers
    passed `verify`, and `rebuild all` then replayed without it (vendor B eligible)."""
    sanction = await _sanction(stored)
    await stored.execute(
        "DELETE FROM processed_events WHERE consumer IN ('registry', 'risk')"
        f" AND event_id = {SANCTION}"
    )
    problems = await _problems(stored)
    seq = await stored.fetchval(f"SELECT seq FROM event_store WHERE event_id = {SANCTION}")
    assert (
        f"ledger of registry, partition {PARTITION}: 1 input event(s) at or below its offset"
        f" (seq 3) have no row in its ledger, the first at seq {seq}: ledger rows were removed"
    ) in problems
    for consumer in ("registry", "risk"):
        assert (
            f"ledger of {consumer}: 1 event(s) its sealed recorded order names have no row in"
            f" its ledger: ledger rows were removed (e.g. {sanction})"
        ) in problems

    sanctions = "SELECT sanction_id FROM registry_sanctions"
    with pytest.raises(BrokenChain, match="have no row in its ledger"):
        await rebuilding.rebuild(
            Settings(database_url=database_url), list(rebuilding.PROJECTIONS), force=False
        )
    assert [r["sanction_id"] for r in await stored.fetch(sanctions)] == ["city-2022-001"]


async def test_a_refusal_set_by_hand_is_named(stored: asyncpg.Pool) -> None:
    """The registry's verdict flipped to refused: no dead letter says why, and risk applied
    the event in its sealed order, which it never does with what the registry refuses."""
    sanction = await _sanction(stored)
    await stored.execute(
        f"UPDATE processed_events SET refused = true WHERE consumer = 'registry'"
        f" AND event_id = {SANCTION}"
    )
    problems = await _problems(stored)
    assert (
        "ledger of registry: 1 event(s) are refused in its ledger with no dead letter of its"
        f" saying why: refused flags were set by hand (e.g. {sanction})"
    ) in problems
    assert (
        "ledger of risk: 1 event(s) it applied, in its sealed recorded order, are refused in"
        " the registry's ledger, whose refusals it never applies: refused flags were changed"
        f" (e.g. {sanction})"
    ) in problems


async def test_a_follower_refusal_set_by_hand_is_named(stored: asyncpg.Pool) -> None:
    sanction = await _sanction(stored)
    await stored.execute(
        f"UPDATE processed_events SET refused = true WHERE consumer = 'risk'"
        f" AND event_id = {SANCTION}"
    )
    problems = await _problems(stored)
    assert (
        "ledger of risk: 1 event(s) its sealed recorded order says it applied are refused in"
        f" its ledger: refused flags were changed (e.g. {sanction})"
    ) in problems


async def test_a_real_refusal_is_intact(stored: asyncpg.Pool, database_url: str) -> None:
    """A refusal the registry made has its dead letter, and no follower applied it."""
    await ingest_batch(stored, [case_b.line(case_b.suspended(vendor_id="nobody"))])
    await applied_live(stored, database_url)
    assert await stored.fetchval("SELECT count(*) FROM processed_events WHERE refused") == 1
    result = await verification.verify(stored)
    assert result.intact, result.problems


async def test_a_ledger_row_added_is_named(stored: asyncpg.Pool) -> None:
    """A claim by hand of an event the registry has not reached: its reader would pass over
    it as applied."""
    await ingest_batch(stored, [case_b.line(case_b.another_vendor(NEIGHBOURS[1]))])
    await stored.execute(
        "INSERT INTO processed_events (consumer, event_id)"
        " SELECT 'registry', event_id FROM event_store WHERE vendor_id = $1",
        NEIGHBOURS[1],
    )
    problems = await _problems(stored)
    assert (
        "ledger of registry: it holds 4 rows but its recorded order, which names every event it"
        " claimed, names 3: rows were added to its ledger, or removed from its recorded order"
    ) in problems


async def test_an_order_row_removed_is_not_called_a_ledger_row_added(stored: asyncpg.Pool) -> None:
    """The counts differ as they do for a ledger row added: it read "rows were added to its
    ledger", where none was, beside the seal's break that names the order."""
    await stored.execute(
        f"DELETE FROM claim_order WHERE consumer = 'registry' AND event_id = {SANCTION}"
    )
    problems = await _problems(stored)
    assert (
        "ledger of registry: it holds 3 rows but its recorded order, which names every event it"
        " claimed, names 2: rows were added to its ledger, or removed from its recorded order"
    ) in problems
    assert any(
        p.startswith(f"recorded order of registry, partition {PARTITION}") for p in problems
    ), problems


async def _moved_past_the_head(pool: asyncpg.Pool) -> int:
    """Every consumer's offset in vendor B's partition moved one past its head (as reading a
    forged row there, since removed, leaves them); returns the head."""
    head: int = await pool.fetchval(
        "SELECT seq FROM event_chain_heads WHERE partition = $1", PARTITION
    )
    await pool.execute(
        "UPDATE consumer_offsets SET seq = $2 WHERE partition = $1", PARTITION, head + 1
    )
    return head


async def test_offsets_past_the_head_are_named(stored: asyncpg.Pool) -> None:
    head = await _moved_past_the_head(stored)
    problems = await _problems(stored)
    consumers = await stored.fetch(
        "SELECT consumer FROM consumer_offsets WHERE partition = $1 ORDER BY 1", PARTITION
    )
    assert len(consumers) >= 3
    for row in consumers:
        assert (
            f"offset of {row['consumer']}, partition {PARTITION}: seq {head + 1} is past the"
            f" chain's head (seq {head}): the events appended there next would be taken for"
            " read and never applied (the offset was moved, or events were removed from the end)"
        ) in problems


async def test_a_reader_past_the_head_reads_again_from_it(
    stored: asyncpg.Pool, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The auditor's case: the next event appended there took the seq every consumer thought
    it had read, and was never applied (an award's `waitForProcessing` pending for ever)."""
    head = await _moved_past_the_head(stored)
    with caplog.at_level(logging.ERROR):
        await applied_live(stored, database_url)  # nothing to read: the heads are looked at
    assert (
        f"registry consumer's offset in partition {PARTITION} is seq {head + 1}, past the log's"
        f" head there (seq {head})"
    ) in caplog.text
    assert await stored.fetchval(
        "SELECT bool_and(seq = $2) FROM consumer_offsets WHERE partition = $1", PARTITION, head
    )
    await ingest_batch(stored, [case_b.line(case_b.another_vendor(NEIGHBOURS[1]))])
    await applied_live(stored, database_url)
    assert await stored.fetchval(
        "SELECT count(*) FROM registry_vendors WHERE vendor_id = $1", NEIGHBOURS[1]
    )
    result = await verification.verify(stored)
    assert result.intact, result.problems


async def test_a_reader_busy_elsewhere_reads_again_from_the_head(
    stored: asyncpg.Pool, database_url: str
) -> None:
    """Offsets past the head, and events to read in another partition: a reader that looked
    at the heads only when a read found nothing passed over what was appended meanwhile below
    its offset (here right after its first batch), and, the head having grown to the offset,
    never saw it (a reviewer's finding). The heads are looked at as a drain starts."""
    await _moved_past_the_head(stored)
    elsewhere = next(v for v in (f"vendor-{i}" for i in range(200)) if v not in NEIGHBOURS)
    assert chain.partition_of(elsewhere) != PARTITION
    await ingest_batch(stored, [case_b.line(case_b.another_vendor(elsewhere))])
    appended: list[bool] = []

    async def append_there_once() -> None:
        if not appended:
            appended.append(True)
            await ingest_batch(stored, [case_b.line(case_b.another_vendor(NEIGHBOURS[1]))])

    settings = Settings(database_url=database_url)
    registry = registry_consumer(settings.clock, registry_setup.policies(settings))
    await drain(stored, registry, applied=append_there_once)
    registered = await stored.fetchval(
        "SELECT count(*) FROM registry_vendors WHERE vendor_id = ANY($1::text[])",
        [NEIGHBOURS[1], elsewhere],
    )
    assert appended and registered == 2


async def test_an_event_passed_over_below_the_offset_is_named(stored: asyncpg.Pool) -> None:
    """Appended before any reader looked: it took the seq the offsets name, and the registry,
    which claims every input event, has no row for it."""
    head = await _moved_past_the_head(stored)
    await ingest_batch(stored, [case_b.line(case_b.another_vendor(NEIGHBOURS[1]))])
    assert (
        f"ledger of registry, partition {PARTITION}: 1 input event(s) at or below its offset"
        f" (seq {head + 1}) have no row in its ledger, the first at seq {head + 1}: ledger rows"
        " were removed"
    ) in await _problems(stored)
