"""Events per second of the migration consumer with its batch handler (`apply_all`) against the
same consumer one event at a time, measured in the same run on the same machine.

The workload's events are stored in the log first (not timed), as ingest would have; then
each side applies them in batches of 500 through `consumer.apply_batch` (which passes on only
the events migration takes: the contract awards), on a fresh database of its own, and must
have recorded every contract. The full size (20,000 events, three rounds):

    VENDORWATCH_BENCH_EVENTS=20000 ./scripts/test \
        tests/benchmarks/test_migration_batch_throughput.py

CI uses 3,000 events; VENDORWATCH_BENCH_ROUNDS sets the rounds. No time is asserted; the
table is printed in the terminal summary ("event core throughput").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

import asyncpg
import pytest

from services.events.contract import ContractAwarded
from services.migration.setup import consumer
from tests.support import postgres
from tests.support.registry import TOKYO, FixedClock
from tests.support.throughput import BATCH, Comparison, rounds, seconds_to_apply
from tests.support.workload import Workload

pytestmark = pytest.mark.postgres


def _every_contract(workload: Workload) -> Callable[[asyncpg.Pool], Awaitable[None]]:
    async def check(pool: asyncpg.Pool) -> None:
        contracts = await pool.fetchval("SELECT count(*) FROM migration_contracts")
        assert contracts == workload.counts[ContractAwarded.event_type]

    return check


async def test_migration_consumer_batch_handler(
    test_databases: postgres.TestDatabases,
    workload: Workload,
    throughput_report: Callable[[Comparison], None],
) -> None:
    batched = consumer(FixedClock(TOKYO))
    one_by_one = dataclasses.replace(batched, apply_all=None)
    comparison = Comparison(
        "migration consumer, apply_all", len(workload.events), "same consumer, per event"
    )
    for _ in range(rounds()):
        baseline = await seconds_to_apply(
            test_databases, one_by_one, workload, _every_contract(workload)
        )
        system = await seconds_to_apply(
            test_databases, batched, workload, _every_contract(workload)
        )
        comparison.add_round(system, baseline, {})
    comparison.notes.append(
        f"apply_batch in batches of {BATCH}, events already in the log; the baseline is the"
        " migration service's per-event handlers (apply_all=None), on a database of its own"
    )
    throughput_report(comparison)
