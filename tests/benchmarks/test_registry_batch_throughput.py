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
from collections.abc import Callable
from functools import partial

import pytest

from services.registry.batch import rules
from services.registry.handlers import registry_consumer
from services.registry.policy_loading import load_policies
from tests.support import postgres
from tests.support.registry import TOKYO, FixedClock
from tests.support.throughput import BATCH, Comparison, check_outcome, rounds, seconds_to_apply
from tests.support.workload import Workload

pytestmark = pytest.mark.postgres


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
        check = partial(check_outcome, workload=workload)
        baseline = await seconds_to_apply(test_databases, one_by_one, workload, check)
        system = await seconds_to_apply(test_databases, batched, workload, check)
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
