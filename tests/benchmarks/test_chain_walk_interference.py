"""What the periodic walk of the event store's chains costs the process's other work (printed,
not asserted): a trivial statement's round trip, asked every 2 ms by the process's event loop,
while the store's chains are walked by a child process (what the long-running processes do,
`platform/eventstore/walk_beside.py`), against the same with no walk (the baseline, in the
same run) and with the walk in a worker thread of the process (how they walked before).

    VENDORWATCH_BENCH_EVENTS=20000 ./scripts/test tests/benchmarks/test_chain_walk_interference.py
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Awaitable, Callable

import pytest

from services.platform.eventstore import verification
from services.platform.eventstore.walk_beside import walk_in_child
from services.platform.postgres.database import open_pool
from tests.support import event_log, postgres
from tests.support.loop_probe import round_trips
from tests.support.throughput import rounds
from tests.support.workload import Workload

pytestmark = pytest.mark.postgres

IDLE_S = 1.0


async def test_the_chain_walk_beside_a_process_s_work(
    test_databases: postgres.TestDatabases, workload: Workload
) -> None:
    measured: dict[str, list[tuple[float, float]]] = {"idle": [], "child": [], "thread": []}
    async with test_databases.fresh() as url:
        pool = await open_pool(url, migrate=False)
        try:
            await event_log.append(pool, workload.events)
            ways: dict[str, Callable[[], Awaitable[object]]] = {
                "idle": lambda: asyncio.sleep(IDLE_S),
                "child": lambda: walk_in_child(url),
                "thread": lambda: verification.verify(pool),
            }
            for _ in range(rounds()):
                for name, during in ways.items():
                    taken = await round_trips(pool, during)
                    measured[name].append(
                        (taken.percentile(50) * 1000, taken.percentile(99) * 1000)
                    )
            walked = await walk_in_child(url)
            assert walked.events == len(workload.events) and not walked.problems
        finally:
            await pool.close()

    def medians(name: str) -> tuple[float, float]:
        return (
            statistics.median(m[0] for m in measured[name]),
            statistics.median(m[1] for m in measured[name]),
        )

    idle, child, thread = medians("idle"), medians("child"), medians("thread")
    print(
        f"\n`SELECT 1` round trip while {len(workload.events):,} events' chains are walked"
        " (medians of the rounds):"
        f"\n  no walk (baseline):       p50 {idle[0]:.2f} ms, p99 {idle[1]:.2f} ms"
        f"\n  walked by a child:        p50 {child[0]:.2f} ms, p99 {child[1]:.2f} ms"
        f" ({child[0] / idle[0]:.1f}x, {child[1] / idle[1]:.1f}x the baseline)"
        f"\n  walked in a thread:       p50 {thread[0]:.2f} ms, p99 {thread[1]:.2f} ms"
        f" ({thread[0] / idle[0]:.1f}x, {thread[1] / idle[1]:.1f}x the baseline)"
    )
