"""Events per second of the registry consumer with its batch handler (`apply_all`) against the
same consumer one event at a time, measured in the same run on the same machine.

The workload's events are stored in the log first (not timed), as ingest would have; then
each side applies them in batches of 500 through `consumer.apply_batch`, on a fresh database
of its own, and must leave the registry as the workload says (`check_outcome`). The full
size (20,000 events, three rounds):

    VENDORWATCH_BENCH_EVENTS=20000 ./scripts/test tests/benchmarks/test_registry_batch_throughput.py

CI uses 3,000 events; VENDORWATCH_BENCH_ROUNDS sets the rounds. No time is asserted; the
table is printed in the terminal summary ("event core throughput"), with how many events the
batch handler applied set-based (records, sanction events) and one by one.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import pytest

from services.platform import event_store
from services.platform.consumer import Consumer, apply_batch
from services.platform.database import open_pool
from services.registry.batch import rules
from services.registry.handlers import registry_consumer
from services.registry.policy_loading import load_policies
from tests.support import postgres
from tests.support.registry import TOKYO, FixedClock
from tests.support.throughput import BATCH, Comparison, check_outcome, rounds
from tests.support.workload import Workload

pytestmark = pytest.mark.postgres


async def _seconds_to_apply(
    test_databases: postgres.TestDatabases, consumer: Consumer, workload: Workload
) -> float:
    """On a fresh database holding the workload in its log: seconds to apply it all."""
    url = await test_databases.create()
    pool = await open_pool(url, migrate=False)
    try:
        events = workload.events
        async with pool.acquire() as conn, conn.transaction():
            await event_store.append_batch(conn, events)
        started = time.perf_counter()
        for start in range(0, len(events), BATCH):
            await apply_batch(pool, consumer, events[start : start + BATCH])
        seconds = time.perf_counter() - started
        await check_outcome(pool, workload)
        return seconds
    finally:
        await pool.close()
        await test_databases.drop(url)


async def test_registry_consumer_batch_handler(
    test_databases: postgres.TestDatabases,
    workload: Workload,
    throughput_report: Callable[[Comparison], None],
) -> None:
    batched = registry_consumer(FixedClock(TOKYO), load_policies())
    one_by_one = dataclasses.replace(batched, apply_all=None)
    comparison = Comparison(
        "registry consumer, apply_all", len(workload.events), "same consumer, per event"
    )
    for _ in range(rounds()):
        baseline = await _seconds_to_apply(test_databases, one_by_one, workload)
        system = await _seconds_to_apply(test_databases, batched, workload)
        comparison.add_round(system, baseline, {})
    comparison.notes.append(
        f"apply_batch in batches of {BATCH}, events already in the log; the baseline is the"
        " registry's per-event handlers (apply_all=None), on a database of its own"
    )
    comparison.notes.append(_split(workload))
    throughput_report(comparison)


def _split(workload: Workload) -> str:
    """How the batch handler splits the workload's batches (registry/batch/rules.py); the
    workload has no affiliations, so no stored affiliate changes the split."""
    plans = [
        rules.plan(workload.events[start : start + BATCH], {})
        for start in range(0, len(workload.events), BATCH)
    ]
    records = sum(len(p.together) for p in plans)
    sanctions = sum(len(p.sanctions) for p in plans)
    alone = sum(len(p.one_by_one) for p in plans)
    return (
        f"apply_all applied {records:,} events set-based as records, {sanctions:,} as sanction"
        f" events, {alone:,} one by one"
    )
