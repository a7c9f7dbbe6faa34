"""`verify` reads each partition's chain a page at a time along its (partition, seq) key, and
looks each ledger row up in the log by its event id (eventstore/verification.py,
eventstore/ledger_checks.py). A cursor over a whole partition was planned as a bitmap scan and
a sort of the partition, envelopes included, and the ledgers' check hashed the whole log's
event ids: both spilled to temporary files under the smallest `work_mem`. A store of 5,000
events in one partition, its ledger and recorded order, is verified here by sessions that may
write no temporary file, and its first bad event is still named."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.events.catalog import parse_event
from services.platform.consuming.consumer import apply_serialized_batch
from services.platform.eventstore import chain, verification
from services.platform.eventstore.verification import Problem
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from services.registry.handlers import registry_consumer
from tests.support import case_b, event_log
from tests.support.tampering import as_owner

pytestmark = pytest.mark.postgres

PAGE = 2000  # rows a walk reads at a time (verification.PAGE)
EVENTS = 5 * PAGE // 2
PARTITION = 4
BATCH = 500


@pytest.fixture
async def stored(pool: asyncpg.Pool, database_url: str) -> None:
    """`EVENTS` registrations in one partition, appended, and applied by the registry (its
    ledger and recorded order)."""
    vendors = [f"vendor-page-{n}" for n in range(20 * EVENTS)]
    ours = [v for v in vendors if chain.partition_of(v) == PARTITION][:EVENTS]
    events = [case_b.another_vendor(v) for v in ours]
    await event_log.append(pool, [parse_event(case_b.line(e)) for e in events])
    settings = Settings(database_url=database_url)
    consumer = registry_consumer(settings.clock, registry_setup.policies(settings))
    for start in range(0, EVENTS, BATCH):
        batch = events[start : start + BATCH]
        await apply_serialized_batch(pool, consumer, [case_b.line(e) for e in batch])


@pytest.fixture
async def limited(stored: None, database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """Sessions that sort and hash in at most 64 kB each and may write no temporary file:
    a statement that needs more fails (temporary file size exceeds temp_file_limit)."""
    pool = await asyncpg.create_pool(
        database_url,
        min_size=1,
        max_size=1,
        server_settings={"work_mem": "64kB", "temp_file_limit": "0"},
    )
    yield pool
    await pool.close()


async def test_a_partition_longer_than_two_pages_is_walked_to_its_first_bad_event(
    limited: asyncpg.Pool, pool: asyncpg.Pool
) -> None:
    told: list[int] = []
    intact = await verification.verify(limited, told.append)
    assert intact.intact, intact.problems
    assert intact.events == sum(told) == EVENTS
    assert told == [PAGE, PAGE, EVENTS - 2 * PAGE]
    assert intact.heads[PARTITION][0] == EVENTS

    seq = 2 * PAGE + 100  # in the third page
    row = await pool.fetchrow(
        "SELECT position, event_id::text FROM event_store WHERE partition = $1 AND seq = $2",
        PARTITION,
        seq,
    )
    assert row is not None
    await as_owner(
        pool,
        "UPDATE event_store SET envelope = jsonb_set(envelope, '{payload,legal_name}',"
        f" '\"Edited K.K.\"') WHERE partition = {PARTITION} AND seq = {seq}",
    )

    result = await verification.verify(limited)
    assert result.problems == (
        Problem(
            f"partition {PARTITION}, seq {seq} (position {row['position']},"
            f" event {row['event_id']})",
            "its content was changed after it was recorded",
        ),
    )
    assert result.events == EVENTS


async def test_the_ledgers_of_a_store_larger_than_memory_are_checked_against_it(
    limited: asyncpg.Pool, pool: asyncpg.Pool
) -> None:
    """An event removed from the end of the partition: its chain, the registry's ledger and
    its recorded order each say so."""
    last = await pool.fetchval(
        "SELECT event_id::text FROM event_store WHERE partition = $1 AND seq = $2",
        PARTITION,
        EVENTS,
    )
    unknown = "00000000-0000-0000-0000-00000000000a"
    await pool.execute(
        "INSERT INTO processed_events (consumer, event_id) VALUES ('alerts', $1)", unknown
    )
    await as_owner(pool, f"DELETE FROM event_store WHERE event_id = '{last}'")

    found = [str(p) for p in (await verification.verify(limited)).problems]
    assert found[:4] == [
        f"partition {PARTITION}: the chain ends at seq {EVENTS - 1} but its head records seq"
        f" {EVENTS}: events were removed from its end, or the head was changed",
        f"ledger of alerts: 1 applied event(s) are not in the log (e.g. {unknown})",
        f"ledger of registry: 1 applied event(s) are not in the log (e.g. {last})",
        f"ledger of registry: 1 event(s) its recorded order names are not in the log (e.g. {last})",
    ]
    # The recorded order's last block is sealed by the removed event's row: it is as it was
    # sealed, and the ledgers' check above names that row.
    assert len(found) == 4, found


async def test_the_ledgers_are_checked_against_the_offsets_and_orders_along_their_keys(
    limited: asyncpg.Pool, pool: asyncpg.Pool
) -> None:
    """A ledger row removed from the middle of the partition: every input event up to the
    registry's offset is looked up in its ledger, every row of its order too, each a probe."""
    await pool.execute(
        "INSERT INTO consumer_offsets (consumer, partition, seq) VALUES ('registry', $1, $2)",
        PARTITION,
        EVENTS,
    )
    assert (await verification.verify(limited)).intact
    seq = PAGE + 7
    removed = await pool.fetchval(
        "DELETE FROM processed_events WHERE consumer = 'registry' AND event_id ="
        " (SELECT event_id FROM event_store WHERE partition = $1 AND seq = $2)"
        " RETURNING event_id::text",
        PARTITION,
        seq,
    )
    assert [str(p) for p in (await verification.verify(limited)).problems] == [
        f"ledger of registry: 1 event(s) its sealed recorded order names have no row in its"
        f" ledger: ledger rows were removed (e.g. {removed})",
        f"ledger of registry, partition {PARTITION}: 1 input event(s) at or below its offset"
        f" (seq {EVENTS}) have no row in its ledger, the first at seq {seq}: ledger rows were"
        " removed",
    ]
