"""The order risk applied events in (`risk_events.seq`), which a rebuild of risk replays and its
agencies' totals of critical contracts depend on across vendors, is sealed as the claims'
recorded order is: an edited, removed, inserted or swapped row is named by `vendorwatch
verify` (risk and the first row that no longer matches), and `rebuild risk` refuses it unless
forced. Before, each of these edits passed `verify`, and the rebuild scored by the edited
order. Its rows are removed or renumbered only past `risk_events_kept`, as an owner can."""

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
from services.risk import setup as risk_setup
from services.risk.handlers import risk_consumer
from tests.support import case_b
from tests.support.live_consumers import applied_live, drain_registry
from tests.support.processes import run_cli

pytestmark = pytest.mark.postgres

B_PARTITION = chain.partition_of(case_b.VENDOR)
# A vendor of another partition, whose sanction is a block of that partition alone.
X = next(v for v in (f"vendor-x{i}" for i in range(100)) if chain.partition_of(v) != B_PARTITION)
X_PARTITION = chain.partition_of(X)
# Vendors of neither partition, recorded between B's and X's sanctions.
OTHERS = [
    v
    for v in (f"vendor-o{i}" for i in range(100))
    if chain.partition_of(v) not in (B_PARTITION, X_PARTITION)
][:6]
# Two vendors of B's partition, whose batches take turns on its head.
TURNS = [v for v in (f"vendor-t{i}" for i in range(200)) if chain.partition_of(v) == B_PARTITION]
TURNS = TURNS[:2]
# What an owner does to edit rows that risk_events_kept refuses to remove or renumber, and
# to insert a row that risk_events_sealed refuses to write unsealed.
UNKEPT = "ALTER TABLE risk_events DISABLE TRIGGER risk_events_kept; {};"
UNSEALED = "ALTER TABLE risk_events DISABLE TRIGGER risk_events_sealed; {};"


async def _ingested_and_applied(pool: asyncpg.Pool, database_url: str, *events: Any) -> None:
    await ingest_batch(pool, [case_b.line(e) for e in events])
    await applied_live(pool, database_url)


@pytest.fixture
async def recorded(pool: asyncpg.Pool, database_url: str) -> AsyncIterator[dict[str, Any]]:
    """The vendors registered, then B's sanction, the others', X's and B's second, a batch
    each: B's first and X's sanctions are each a block of their partition."""
    registrations = [case_b.registered(), *(case_b.another_vendor(v) for v in (X, *OTHERS))]
    await _ingested_and_applied(pool, database_url, *registrations)
    events = {"b": case_b.suspended(), "x": case_b.suspended(vendor_id=X, sanction_id="x-1")}
    events["later"] = case_b.suspended(sanction_id="city-2023-002")
    await _ingested_and_applied(pool, database_url, events["b"])
    await _ingested_and_applied(
        pool, database_url, *(case_b.suspended(vendor_id=v, sanction_id=f"{v}-1") for v in OTHERS)
    )
    await _ingested_and_applied(pool, database_url, events["x"])
    await _ingested_and_applied(pool, database_url, events["later"])
    assert (await verification.verify(pool)).intact
    rows = {
        name: {"event_id": e["event_id"], "seq": await _seq(pool, e)} for name, e in events.items()
    }
    assert all(r["seq"] for r in rows.values()), rows  # each recorded by risk
    # X's registration: an event in the store that risk did not record (not one it scores).
    rows["x_registered"] = {"event_id": registrations[1]["event_id"]}
    yield rows


async def _seq(pool: asyncpg.Pool, event: dict[str, Any]) -> int:
    seq: int = await pool.fetchval(
        "SELECT seq FROM risk_events WHERE event_id = $1", event["event_id"]
    )
    return seq


def _row(partition: int, seq: int, event_id: str) -> str:
    return f"recorded order of risk, partition {partition}, order row {seq} (event {event_id})"


def _tampering(rows: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Each edit, and the problem `verify` must name for it."""
    b, x, later, other = rows["b"], rows["x"], rows["later"], rows["x_registered"]
    return {
        "swap": (
            UNKEPT.format(
                f"UPDATE risk_events SET seq = -1 WHERE seq = {b['seq']};"
                f" UPDATE risk_events SET seq = {b['seq']} WHERE seq = {x['seq']};"
                f" UPDATE risk_events SET seq = {x['seq']} WHERE seq = -1"
            ),
            f"{_row(B_PARTITION, x['seq'], b['event_id'])}: the rows from here to order row"
            f" {x['seq']} no longer match their seal",
        ),
        "edit": (
            f"UPDATE risk_events SET event_id = '{other['event_id']}' WHERE seq = {b['seq']}",
            f"{_row(X_PARTITION, b['seq'], other['event_id'])}: the rows from here",
        ),
        "delete": (
            UNKEPT.format(f"DELETE FROM risk_events WHERE seq = {b['seq']}"),
            f"{_row(B_PARTITION, later['seq'], later['event_id'])}: the rows from here",
        ),
        "insert": (
            UNSEALED.format(
                f"INSERT INTO risk_events (seq, event_id) VALUES (0, '{other['event_id']}')"
            ),
            f"{_row(X_PARTITION, 0, other['event_id'])}: the rows from here to order row"
            f" {x['seq']}",
        ),
    }


@pytest.mark.parametrize("edit", ["swap", "edit", "delete", "insert"])
async def test_a_tampered_risk_order_is_named_and_refused_by_a_rebuild(
    recorded: dict[str, Any], pool: asyncpg.Pool, database_url: str, edit: str
) -> None:
    statement, named = _tampering(recorded)[edit]
    await pool.execute(statement)

    done = await asyncio.to_thread(run_cli, "verify", "--database-url", database_url)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert named in done.stdout + done.stderr, (done.stdout, done.stderr)

    history = "SELECT vendor_id, seq, agency_totals::text FROM risk_history ORDER BY 1, 2"
    before = await pool.fetch(history)
    with pytest.raises(BrokenChain, match="recorded order of risk"):
        await rebuilding.rebuild(Settings(database_url=database_url), ["risk"], force=False)
    assert await pool.fetch(history) == before


async def test_a_removed_last_block_shows_at_the_head(
    recorded: dict[str, Any], pool: asyncpg.Pool
) -> None:
    x = recorded["x"]
    await pool.execute(UNKEPT.format(f"DELETE FROM risk_events WHERE seq = {x['seq']}"))
    problems = " ".join(str(p) for p in (await verification.verify(pool)).problems)
    assert (
        f"recorded order of risk, partition {X_PARTITION}: the sealed order ends at order row 0"
        f" but its head records order row {x['seq']}"
    ) in problems


async def test_a_rebuilt_risk_order_is_sealed_again(
    recorded: dict[str, Any], pool: asyncpg.Pool, database_url: str
) -> None:
    """A rebuild numbers risk's order again from 1 and seals it from its heads' start, and
    live processing seals on from there."""
    await rebuilding.rebuild(Settings(database_url=database_url), ["risk"], force=False)
    assert await _seq(pool, recorded["b"]) == 1
    await _ingested_and_applied(
        pool, database_url, case_b.suspended(vendor_id=X, sanction_id="x-2")
    )
    result = await verification.verify(pool)
    assert result.intact, result.problems
    assert await pool.fetchval("SELECT count(*) FROM risk_events WHERE seal IS NOT NULL") > 0


async def _until_waiting(pool: asyncpg.Pool, *wait_events: str) -> None:
    """Until a backend of this database waits for a lock of one of these kinds."""
    for _ in range(1_000):
        if await pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND wait_event = ANY($1::text[])",
            list(wait_events),
        ):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"no backend came to wait for a lock of {wait_events}")


async def test_a_batch_recording_the_partition_another_holds_seals_after_it(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """Batch 1 has recorded (and sealed) its event of a partition and is still in its
    transaction (held here at its next step, the lock of its vendor) when batch 2 records an
    event of that partition: batch 2 waits for the partition's head (locked FOR UPDATE by the
    recording statement) and seals after batch 1's block. Without that lock batch 2 read the
    head as it stood before batch 1 and sealed over it too, and verify named its block."""
    first = TURNS[0]
    sanctions = [case_b.suspended(vendor_id=v, sanction_id=f"{v}-1") for v in TURNS]
    await ingest_batch(pool, [case_b.line(case_b.another_vendor(v)) for v in TURNS])
    await ingest_batch(pool, [case_b.line(e) for e in sanctions])
    settings = Settings(database_url=database_url)
    await drain_registry(database_url, settings)  # risk takes what the registry accepted
    consumer = risk_consumer(risk_setup.service(settings))

    def batch(event: dict[str, Any]) -> asyncio.Task[Any]:
        return asyncio.create_task(apply_serialized_batch(pool, consumer, [case_b.line(event)]))

    async with pool.acquire() as holder:
        await holder.execute("SELECT pg_advisory_lock(hashtext('risk:' || $1::text))", first)
        try:
            held = batch(sanctions[0])
            await _until_waiting(pool, "advisory")  # recorded, sealed, not committed
            waiting = batch(sanctions[1])
            await _until_waiting(pool, "transactionid", "tuple")  # for batch 1's head
        finally:
            await holder.execute("SELECT pg_advisory_unlock(hashtext('risk:' || $1::text))", first)
        results = await asyncio.gather(held, waiting)
    assert [r.applied for r in results] == [1, 1]
    seqs = [await _seq(pool, e) for e in sanctions]
    assert seqs[0] < seqs[1], seqs

    result = await verification.verify(pool)
    assert result.intact, result.problems
