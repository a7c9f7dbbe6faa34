"""The registry batch handler's CPU and ingest's append CPU over the benchmark's workload,
alone in process (printed, not asserted): each side's own cost, without the consumers it
shares a core with in embedded mode, so that two versions of the code compare on a busy
machine by the CPU time each spends (the lowest of the rounds), not by the wall-clock time
the machine gave them.

    VENDORWATCH_BENCH_EVENTS=20000 VENDORWATCH_BENCH_ROUNDS=3 \\
        python -m pytest -q -p no:cacheprovider -s tests/benchmarks/test_registry_batch_cpu.py

Each round, on a fresh database: the workload appended to the log (`event_store.append_batch`,
what ingest does after parsing), 500 events per transaction; then applied by the registry's
consumer through `consumer.apply_batch`, 500 per batch, as in embedded mode. The handler's
CPU is `time.process_time` around `apply_all` alone (PostgreSQL's own work is another
process's); the batch's is around `apply_batch` (ledger claims, the transaction, the
handler). The registry must leave what the workload says (`check_outcome`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from services.events.base import EventEnvelope
from services.platform.consumer import BatchHandler, apply_batch
from services.platform.database import Connection, open_pool
from services.platform.eventstore import event_store
from services.registry.handlers import registry_consumer
from services.registry.policy_loading import load_policies
from tests.support import postgres
from tests.support.registry import TOKYO, FixedClock
from tests.support.throughput import BATCH, check_outcome, rounds
from tests.support.workload import Workload

pytestmark = pytest.mark.postgres


@dataclass
class _Timed:
    """A batch handler with the CPU time it spent counted."""

    apply_all: BatchHandler
    seconds: float = 0.0

    async def __call__(self, conn: Connection, events: Sequence[EventEnvelope]) -> None:
        started = time.process_time()
        try:
            await self.apply_all(conn, events)
        finally:
            self.seconds += time.process_time() - started


@dataclass(frozen=True)
class _Round:
    append: float  # ingest's append_batch
    batches: float  # apply_batch, the handler included
    handler: float  # apply_all alone


async def _one_round(database_url: str, workload: Workload) -> _Round:
    pool = await open_pool(database_url, migrate=False)
    consumer = registry_consumer(FixedClock(TOKYO), load_policies())
    assert consumer.apply_all is not None
    timed = _Timed(consumer.apply_all)
    consumer = dataclasses.replace(consumer, apply_all=timed)
    events = workload.events
    try:
        started = time.process_time()
        for start in range(0, len(events), BATCH):
            async with pool.acquire() as conn, conn.transaction():
                await event_store.append_batch(conn, events[start : start + BATCH])
        appended = time.process_time()
        for start in range(0, len(events), BATCH):
            await apply_batch(pool, consumer, events[start : start + BATCH])
        applied = time.process_time()
        await check_outcome(pool, workload)
        return _Round(appended - started, applied - appended, timed.seconds)
    finally:
        await pool.close()


async def test_registry_batch_handler_cpu(
    test_databases: postgres.TestDatabases, workload: Workload
) -> None:
    spent: list[_Round] = []
    for _ in range(rounds()):
        async with test_databases.fresh() as url:
            spent.append(await _one_round(url, workload))
    events = len(workload.events)
    for measure in ("handler", "batches", "append"):
        seconds = [getattr(r, measure) for r in spent]
        best = min(seconds)
        print(
            f"\n{measure:>8}, {events:,} events: CPU {best:.2f} s at best"
            f" ({best / events * 1e6:,.0f} µs per event); rounds:"
            f" {', '.join(f'{s:.2f} s' for s in seconds)}"
        )
