"""What applying events costs the rest of `vendorwatch up`'s event loop (reported, not
asserted): on the loop the embedded consumers run on while they apply the workload
(`run_embedded`, as `up` runs them beside its API), how late the loop runs a callback falling
due every millisecond, and a trivial statement's round trip asked every 2 ms
(tests/support/loop_probe.py); against the same loop with nothing else to do (the baseline,
in the same run), and with each batch's work in one stretch (`off_the_loop.TURN_SECONDS`
infinite: how risk's and the registry's batches ran before they gave the loop turns).

    VENDORWATCH_BENCH_EVENTS=20000 ./scripts/test tests/benchmarks/test_loop_during_apply.py
"""

from __future__ import annotations

import asyncio
import gc
import math
import statistics
from collections.abc import Awaitable, Callable

import pytest

from services.platform import off_the_loop
from services.platform.postgres.database import open_pool
from tests.benchmarks.test_core_throughput import run_embedded
from tests.support import postgres
from tests.support.latency import Latencies, LatencyComparison
from tests.support.loop_probe import loop_waits, round_trips
from tests.support.throughput import rounds
from tests.support.workload import Workload

pytestmark = pytest.mark.postgres

IDLE_S = 1.0
IDLE, TURNS, ONE_STRETCH = "idle", "applying, turns given", "applying, a batch in one stretch"
BASELINES = {"loop": "the same loop, nothing else to do", "trip": "the same, nothing else"}


async def _measure(
    url: str, workload: Workload, way: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Latencies, Latencies]:
    """The loop's waits and the statement's round trips, measured together."""
    applying = asyncio.Event()  # from the first submit: the run's set-up is not measured
    start = None if way == IDLE else applying
    during: Callable[[], Awaitable[object]] = (
        (lambda: asyncio.sleep(IDLE_S))
        if way == IDLE
        else (lambda: run_embedded(url, workload, applying))
    )
    pool = await open_pool(url, migrate=False)
    trips: list[Latencies] = []
    # The earlier rounds' garbage (pools, connections, states) is collected before the clock:
    # a full collection of it inside a later round was a stall of 100-360 ms of its own.
    gc.collect()

    async def with_round_trips() -> None:
        trips.append(await round_trips(pool, during, start))

    try:
        with monkeypatch.context() as patch:
            if way == ONE_STRETCH:
                patch.setattr(off_the_loop, "TURN_SECONDS", math.inf)
            waits = await loop_waits(with_round_trips, start)
    finally:
        await pool.close()
    return waits, trips[0]


async def test_a_request_beside_the_consumers(
    test_databases: postgres.TestDatabases,
    workload: Workload,
    monkeypatch: pytest.MonkeyPatch,
    latency_report: Callable[[LatencyComparison], None],
) -> None:
    measured: dict[str, list[tuple[Latencies, Latencies]]] = {
        way: [] for way in (IDLE, TURNS, ONE_STRETCH)
    }
    for _ in range(rounds()):
        for way, taken in measured.items():
            async with test_databases.fresh() as url:
                taken.append(await _measure(url, workload, way, monkeypatch))

    events = f"{len(workload.events):,} events"
    for way in (TURNS, ONE_STRETCH):
        loop = LatencyComparison(f"loop's wait, {events} {way}", BASELINES["loop"])
        trip = LatencyComparison(f"SELECT 1 beside, {events} {way}", BASELINES["trip"])
        for ours, idle in zip(measured[way], measured[IDLE], strict=True):
            loop.add_round(ours[0], idle[0])
            trip.add_round(ours[1], idle[1])
        latency_report(loop)
        latency_report(trip)
        longest = statistics.median(max(m[0].seconds) for m in measured[way]) * 1000
        print(f"\nthe loop's longest wait, {way}: {longest:.1f} ms (median of the rounds)")
