"""A row inserted into the log by hand, past its partition's head, with hashes no append
made: the live consumers apply none of it, and stop there naming it, until it is removed.
Before, the registry applied it at once (the vendor registered, on nothing the chain holds),
and every reader then read again from the head, for ever, an error each time round. The
API's readers leave it out: `eventStatus` had answered it accepted."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.cli import rebuilding
from services.ingest.handlers import ingest_batch
from services.platform.eventstore import chain, verification
from services.platform.eventstore.event_reads import UnappendedStoredRow
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.in_process_api import execute
from tests.support.live_consumers import applied_live
from tests.support.tampering import as_owner

pytestmark = pytest.mark.postgres

PARTITION = chain.partition_of(case_b.VENDOR)
FORGED = next(v for v in (f"vendor-{i}" for i in range(200)) if chain.partition_of(v) == PARTITION)


@pytest.fixture
async def forged(pool: asyncpg.Pool, database_url: str) -> AsyncIterator[tuple[uuid.UUID, int]]:
    """Vendor B registered and applied by every consumer, then a registration of another
    vendor inserted one past the head, as the table's owner may (INSERT is not refused), with
    garbage for its hashes and the head left as it was; yields its event id and the head."""
    await ingest_batch(pool, [case_b.line(case_b.registered())])
    await applied_live(pool, database_url)
    event = case_b.another_vendor(FORGED)
    head: int = await pool.fetchval(
        "SELECT seq FROM event_chain_heads WHERE partition = $1", PARTITION
    )
    await pool.execute(
        """INSERT INTO event_store (event_id, event_type, vendor_id, occurred_at, envelope,
               content_hash, partition, seq, chain_hash, chain_version)
           VALUES ($1, 'vendor.registered', $2, now(), $3::jsonb, $4, $5, $6, $7, 2)""",
        uuid.UUID(event["event_id"]),
        FORGED,
        json.dumps(event),
        "f" * 64,
        PARTITION,
        head + 1,
        "e" * 64,
    )
    yield uuid.UUID(event["event_id"]), head


async def test_the_consumers_apply_none_of_it_and_name_it(
    forged: tuple[uuid.UUID, int], pool: asyncpg.Pool, database_url: str
) -> None:
    event_id, head = forged
    with pytest.raises(UnappendedStoredRow) as stopped:
        await asyncio.wait_for(applied_live(pool, database_url), timeout=30)
    assert str(stopped.value) == (
        f"the stored row at partition {PARTITION}, seq {head + 1} (event {event_id}) is past"
        f" the partition's head (seq {head}): no append wrote it, it was inserted by hand;"
        " nothing is applied until it is removed. `vendorwatch verify` names it"
    )
    assert not await pool.fetchval(
        "SELECT count(*) FROM registry_vendors WHERE vendor_id = $1", FORGED
    )
    assert not await pool.fetchval(
        "SELECT count(*) FROM processed_events WHERE event_id = $1", event_id
    )
    assert await pool.fetchval(
        "SELECT bool_and(seq = $2) FROM consumer_offsets WHERE partition = $1", PARTITION, head
    )
    # A rebuild told to replay the log as it is stops at it too, changing nothing.
    with pytest.raises(UnappendedStoredRow):
        await rebuilding.rebuild(Settings(database_url=database_url), ["registry"], force=True)

    await as_owner(pool, f"DELETE FROM event_store WHERE event_id = '{event_id}'")
    await ingest_batch(pool, [case_b.line(case_b.another_vendor(FORGED))])
    await applied_live(pool, database_url)
    assert await pool.fetchval("SELECT count(*) FROM registry_vendors WHERE vendor_id = $1", FORGED)
    result = await verification.verify(pool)
    assert result.intact, result.problems


async def test_the_api_leaves_it_out(forged: tuple[uuid.UUID, int], pool: asyncpg.Pool) -> None:
    event_id, _ = forged
    query = """query ($id: ID!, $vendor: ID!) {
      eventStatus(eventId: $id) { accepted recordedAt }
      events(vendorId: $vendor) { totalCount edges { node { eventId } } } }"""
    shown = await execute(pool, query, id=str(event_id), vendor=FORGED)
    assert shown == {
        "eventStatus": {"accepted": False, "recordedAt": None},
        "events": {"totalCount": 0, "edges": []},
    }
