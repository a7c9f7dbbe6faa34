"""What applying events costs the rest of `vendorwatch up`'s event loop (printed, not asserted):
a trivial statement's round trip, asked every 2 ms by the loop the embedded consumers run on
while they apply the workload (`run_embedded`, as `up` runs them beside the API), against the
same with nothing else running (the baseline, in the same run), and with each batch's work in
one stretch (`off_the_loop.TURN_SECONDS` infinite: how risk's batches ran before they gave
the loop turns).

    VENDORWATCH_BENCH_EVENTS=20000 ./scripts/test tests/benchmarks/test_loop_during_apply.py
"""

from __future__ import annotations

import asyncio
import math
import statistics
from collections.abc import Awaitable, Callable

import pytest

from services.platform import off_the_loop
from services.platform.postgres.database import open_pool
from tests.benchmarks.test_core_throughput import run_embedded
from tests.support import postgres
from tests.support.loop_probe import RoundTrips, round_trips
from tests.support.throughput import rounds
from tests.support.workload import Workload

pytestmark = pytest.mark.postgres

IDLE_S = 1.0
WAYS = ("nothing else (baseline)", "applying, turns given", "applying, a batch in one stretch")


async def _measure(
    url: str, workload: Workload, way: str, monkeypatch: pytest.MonkeyPatch
) -> RoundTrips:
    applying = asyncio.Event()  # from the first submit: the run's set-up is not measured
    during: Callable[[], Awaitable[object]] = (
        (lambda: asyncio.sleep(IDLE_S))
        if way == WAYS[0]
        else (lambda: run_embedded(url, workload, applying))
    )
    pool = await open_pool(url, migrate=False)
    try:
        with monkeypatch.context() as patch:
            if way == WAYS[2]:
                patch.setattr(off_the_loop, "TURN_SECONDS", math.inf)
            return await round_trips(pool, during, None if way == WAYS[0] else applying)
    finally:
        await pool.close()


async def test_a_request_beside_the_consumers(
    test_databases: postgres.TestDatabases,
    workload: Workload,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    measured: dict[str, list[RoundTrips]] = {way: [] for way in WAYS}
    for _ in range(rounds()):
        for way in WAYS:
            async with test_databases.fresh() as url:
                measured[way].append(await _measure(url, workload, way, monkeypatch))

    def median(way: str, figure: Callable[[RoundTrips], float]) -> float:
        return statistics.median(figure(taken) for taken in measured[way])

    base = median(WAYS[0], lambda t: t.p99)
    lines = [
        f"\n`SELECT 1` round trip on the consumers' event loop while {len(workload.events):,}"
        " events are applied in embedded mode (medians of the rounds):"
    ]
    for way in WAYS:
        p50, p99 = median(way, lambda t: t.p50), median(way, lambda t: t.p99)
        longest = median(way, lambda t: t.longest)
        lines.append(
            f"  {way:<34} p50 {p50:6.2f} ms, p99 {p99:7.2f} ms ({p99 / base:5.1f}x the"
            f" baseline's), longest {longest:7.1f} ms"
        )
    print("\n".join(lines))
