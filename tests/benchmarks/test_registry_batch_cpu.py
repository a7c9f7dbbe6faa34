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
CPU is `time.process_time` around `apply_all` alone; the batch's is around `apply_batch`
(ledger claims, the transaction, the handler). PostgreSQL's own work is another process's:
the batches go through a pool of one connection, and when the server runs on this machine
(pgserver) the CPU its backend spent meanwhile is read from /proc and printed too. The
registry must leave what the workload says (`check_outcome`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from services.platform.eventstore import event_store
from services.platform.postgres.database import open_pool
from services.registry.handlers import registry_consumer
from services.registry.policy_loading import load_policies
from tests.support import postgres
from tests.support.cpu_time import Applied, applied_alone, print_cpu, rounds_on_fresh_databases
from tests.support.registry import TOKYO, FixedClock
from tests.support.throughput import BATCH, check_outcome
from tests.support.workload import Workload

pytestmark = pytest.mark.postgres


@dataclass(frozen=True)
class _Round:
    append: float  # ingest's append_batch
    applied: Applied


async def _one_round(database_url: str, workload: Workload) -> _Round:
    pool = await open_pool(database_url, migrate=False)
    consumer = registry_consumer(FixedClock(TOKYO), load_policies())
    events = workload.events
    try:
        started = time.process_time()
        for start in range(0, len(events), BATCH):
            async with pool.acquire() as conn, conn.transaction():
                await event_store.append_batch(conn, events[start : start + BATCH])
        appended = time.process_time()
        applied = await applied_alone(database_url, consumer, events, BATCH)
        await check_outcome(pool, workload)
        return _Round(appended - started, applied)
    finally:
        await pool.close()


async def test_registry_batch_handler_cpu(
    test_databases: postgres.TestDatabases, workload: Workload
) -> None:
    spent = await rounds_on_fresh_databases(test_databases, lambda url: _one_round(url, workload))
    print_cpu(
        len(workload.events),
        {
            "handler": [r.applied.handler for r in spent],
            "batches": [r.applied.batches for r in spent],
            "append": [r.append for r in spent],
            "postgres": [r.applied.postgres for r in spent],
        },
    )
