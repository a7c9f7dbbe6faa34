"""The order a rebuild judges the log in again (`claim_order`) is sealed like the log itself:
an edited, removed, inserted or swapped row is named by `vendorwatch verify` (the consumer
and the first row that no longer matches), and a rebuild refuses it unless forced. The
auditor's case: two registrations of one identifier, their rows swapped, passed `verify`,
and `rebuild all` then accepted the one refused live and refused the other."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from services.cli import rebuilding
from services.ingest.handlers import ingest_batch
from services.platform.consuming.consumer import apply_serialized_batch
from services.platform.consuming.rebuilding import BrokenChain
from services.platform.eventstore import chain, verification
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from services.registry.handlers import registry_consumer
from tests.support import case_b
from tests.support.live_consumers import applied_live
from tests.support.processes import run_cli

pytestmark = pytest.mark.postgres

B_PARTITION = chain.partition_of(case_b.VENDOR)
# Registers vendor B's identifiers again, from another partition: refused live.
CLASHING = next(
    v for v in (f"vendor-x{i}" for i in range(100)) if chain.partition_of(v) != B_PARTITION
)
X_PARTITION = chain.partition_of(CLASHING)
# Vendors of neither partition, so that B's and the clash's rows are each a block alone.
OTHERS = [
    v
    for v in (f"vendor-o{i}" for i in range(100))
    if chain.partition_of(v) not in (B_PARTITION, X_PARTITION)
][:6]
# What an owner does to insert an unsealed row, which platform migration 0012 refuses to
# write otherwise (a process of the release before the seals).
UNGUARDED = "ALTER TABLE claim_order DISABLE TRIGGER claim_order_sealed;"


async def _ingested_and_applied(pool: asyncpg.Pool, database_url: str, *events: Any) -> None:
    await ingest_batch(pool, [case_b.line(e) for e in events])
    await applied_live(pool, database_url)


@pytest.fixture
async def judged(pool: asyncpg.Pool, database_url: str) -> AsyncIterator[dict[str, Any]]:
    """B registered, then others, then the clash (refused), then B's suspension: a batch
    each, so that B's and the clash's claims are each a block of their partition."""
    events = {"b": case_b.registered(), "x": case_b.registered(vendor_id=CLASHING)}
    await _ingested_and_applied(pool, database_url, events["b"])
    await _ingested_and_applied(pool, database_url, *(case_b.another_vendor(v) for v in OTHERS))
    await _ingested_and_applied(pool, database_url, events["x"])
    events["suspension"] = case_b.suspended()
    await _ingested_and_applied(pool, database_url, events["suspension"])
    assert await pool.fetchval(
        "SELECT refused FROM processed_events WHERE consumer = 'registry' AND event_id = $1",
        events["x"]["event_id"],
    )
    assert (await verification.verify(pool)).intact
    yield {
        name: {"event_id": e["event_id"], "seq": await _seq(pool, e)} for name, e in events.items()
    }


async def _seq(pool: asyncpg.Pool, event: dict[str, Any]) -> int:
    seq: int = await pool.fetchval(
        "SELECT seq FROM claim_order WHERE consumer = 'registry' AND event_id = $1",
        event["event_id"],
    )
    return seq


def _row(partition: int, seq: int, event_id: str) -> str:
    return f"recorded order of registry, partition {partition}, order row {seq} (event {event_id})"


def _tampering(rows: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Each edit, and the problem `verify` must name for it."""
    b, x, suspension = rows["b"], rows["x"], rows["suspension"]
    return {
        "swap": (
            f"UPDATE claim_order SET seq = -1 WHERE seq = {b['seq']};"
            f" UPDATE claim_order SET seq = {b['seq']} WHERE seq = {x['seq']};"
            f" UPDATE claim_order SET seq = {x['seq']} WHERE seq = -1",
            f"{_row(B_PARTITION, x['seq'], b['event_id'])}: the rows from here to order row"
            f" {x['seq']} no longer match their seal",
        ),
        "edit": (
            f"UPDATE claim_order SET event_id = '{x['event_id']}' WHERE seq = {b['seq']}",
            f"{_row(X_PARTITION, b['seq'], x['event_id'])}: the rows from here",
        ),
        "delete": (
            f"DELETE FROM claim_order WHERE seq = {b['seq']}",
            f"{_row(B_PARTITION, suspension['seq'], suspension['event_id'])}: the rows from here",
        ),
        "insert": (
            f"{UNGUARDED} INSERT INTO claim_order (seq, consumer, event_id)"
            f" VALUES (0, 'registry', '{x['event_id']}')",
            f"{_row(X_PARTITION, 0, x['event_id'])}: the rows from here to order row {x['seq']}",
        ),
    }


@pytest.mark.parametrize("edit", ["swap", "edit", "delete", "insert"])
async def test_a_tampered_recorded_order_is_named_and_refused_by_a_rebuild(
    judged: dict[str, Any], pool: asyncpg.Pool, database_url: str, edit: str
) -> None:
    statement, named = _tampering(judged)[edit]
    await pool.execute(statement)

    done = await asyncio.to_thread(run_cli, "verify", "--database-url", database_url)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert named in done.stdout + done.stderr, (done.stdout, done.stderr)

    verdicts = "SELECT consumer, event_id, refused FROM processed_events ORDER BY 1, 2"
    before = await pool.fetch(verdicts)
    with pytest.raises(BrokenChain, match="recorded order of registry"):
        await rebuilding.rebuild(
            Settings(database_url=database_url), list(rebuilding.PROJECTIONS), force=False
        )
    assert await pool.fetch(verdicts) == before


async def test_a_removed_last_block_shows_at_the_head(
    judged: dict[str, Any], pool: asyncpg.Pool
) -> None:
    x = judged["x"]
    await pool.execute(f"DELETE FROM claim_order WHERE seq = {x['seq']}")
    problems = [str(p) for p in (await verification.verify(pool)).problems]
    assert (
        f"recorded order of registry, partition {X_PARTITION}: the sealed order ends at order row 0"
        f" but its head records order row {x['seq']}"
    ) in " ".join(problems)


async def test_a_head_whose_seal_alone_differs_is_said_so(
    judged: dict[str, Any], pool: asyncpg.Pool
) -> None:
    """It read "ends at order row 40 but its head records order row 40": rows removed."""
    x = judged["x"]
    await pool.execute(
        "UPDATE claim_order_heads SET seal = repeat('a', 64)"
        f" WHERE consumer = 'registry' AND partition = {X_PARTITION}"
    )
    problems = [str(p) for p in (await verification.verify(pool)).problems]
    assert problems == [
        f"recorded order of registry, partition {X_PARTITION}: its head records order row"
        f" {x['seq']}, where the sealed order ends, but not that row's seal: the last block"
        " was replaced, or the head was changed"
    ]


async def test_concurrent_batches_of_one_consumer_leave_a_sealed_order(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """Batches of the registry at once, over the same partitions (they take turns on each
    partition's head) and others: the order they recorded verifies, whatever their turns."""
    vendors = [f"vendor-c{i}" for i in range(60)]
    events = [case_b.another_vendor(v) for v in vendors]
    await ingest_batch(pool, [case_b.line(e) for e in events])
    settings = Settings(database_url=database_url)
    consumer = registry_consumer(settings.clock, registry_setup.policies(settings))
    batches = [events[i::6] for i in range(6)]
    results = await asyncio.gather(
        *(apply_serialized_batch(pool, consumer, [case_b.line(e) for e in b]) for b in batches)
    )
    assert sum(r.applied for r in results) == len(events)
    await applied_live(pool, database_url)  # the other consumers, migration's order among them

    result = await verification.verify(pool)
    assert result.intact, result.problems
    assert await pool.fetchval("SELECT count(*) FROM claim_order WHERE consumer = 'registry'") == 60
