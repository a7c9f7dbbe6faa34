"""What applying events costs the rest of `vendorwatch up`'s event loop (printed, not asserted):
on the loop the embedded consumers run on while they apply the workload (`run_embedded`, as
`up` runs them beside the API), how late the loop runs a callback due every millisecond, and
a trivial statement's round trip asked every 2 ms (tests/support/loop_probe.py); against the
same with nothing else running (the baseline, in the same run), and with each batch's work
in one stretch (`off_the_loop.TURN_SECONDS` infinite: how risk's batches ran before they
gave the loop turns).

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
from tests.support.loop_probe import Waits, loop_waits, round_trips
from tests.support.throughput import rounds
from tests.support.workload import Workload

pytestmark = pytest.mark.postgres

IDLE_S = 1.0
WAYS = ("nothing else (baseline)", "applying, turns given", "applying, a batch in one stretch")


async def _measure(
    url: str, workload: Workload, way: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Waits, Waits]:
    """The loop's waits and the statement's round trips, measured together."""
    applying = asyncio.Event()  # from the first submit: the run's set-up is not measured
    start = None if way == WAYS[0] else applying
    during: Callable[[], Awaitable[object]] = (
        (lambda: asyncio.sleep(IDLE_S))
        if way == WAYS[0]
        else (lambda: run_embedded(url, workload, applying))
    )
    pool = await open_pool(url, migrate=False)
    trips: list[Waits] = []
    # The earlier rounds' garbage (pools, connections, states) is collected before the clock:
    # a full collection of it inside a later round was a stall of 100-360 ms of its own.
    gc.collect()

    async def with_round_trips() -> None:
        trips.append(await round_trips(pool, during, start))

    try:
        with monkeypatch.context() as patch:
            if way == WAYS[2]:
                patch.setattr(off_the_loop, "TURN_SECONDS", math.inf)
            waits = await loop_waits(with_round_trips, start)
    finally:
        await pool.close()
    return waits, trips[0]


async def test_a_request_beside_the_consumers(
    test_databases: postgres.TestDatabases,
    workload: Workload,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    measured: dict[str, list[tuple[Waits, Waits]]] = {way: [] for way in WAYS}
    for _ in range(rounds()):
        for way in WAYS:
            async with test_databases.fresh() as url:
                measured[way].append(await _measure(url, workload, way, monkeypatch))

    def median(way: str, which: int, quantile: float) -> float:
        """The median over the rounds of one quantile of the loop's waits (0) or the round
        trips (1)."""
        return statistics.median(taken[which].p(quantile) for taken in measured[way])

    base = median(WAYS[0], 0, 0.99), median(WAYS[0], 1, 0.99)
    lines = [
        f"\nThe consumers' event loop while {len(workload.events):,} events are applied in"
        " embedded mode (medians of the rounds; x = p99 over the baseline's):",
        f"  {'':<34} {'the loop: a callback due every 1 ms, its wait':<52}"
        " `SELECT 1` round trip, every 2 ms",
    ]
    for way in WAYS:
        wait = [median(way, 0, q) for q in (0.5, 0.99, 1.0)]
        trip = [median(way, 1, q) for q in (0.5, 0.99, 1.0)]
        lines.append(
            f"  {way:<34} p50 {wait[0]:5.2f}, p99 {wait[1]:6.1f} ({wait[1] / base[0]:5.0f}x),"
            f" longest {wait[2]:6.1f} ms   p50 {trip[0]:5.2f}, p99 {trip[1]:6.1f}"
            f" ({trip[1] / base[1]:4.0f}x), longest {trip[2]:6.1f} ms"
        )
    print("\n".join(lines))
