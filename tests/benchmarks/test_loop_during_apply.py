"""What applying events costs the requests `vendorwatch up` serves on the same event loop
(reported, not asserted): while the embedded consumers apply the workload on this process's
loop (`run_embedded`, as `up` runs them beside its API), a trivial statement asked every 5 ms
whether or not the last one was answered, each timed from when it was due, and how late the
loop runs a callback falling due every millisecond (tests/support/loop_probe.py); against the
same loop with nothing else to do (the baseline, in the same run), and with each batch's work
in one stretch (`off_the_loop.TURN_SECONDS` infinite: how risk's and the registry's batches
ran before they gave the loop turns). The three take turns at going first from round to
round.

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
from services.platform.operations.collector import tune_for_long_runs
from tests.support import postgres
from tests.support.latency import Latencies, LatencyComparison
from tests.support.loop_probe import loop_waits, requests
from tests.support.throughput import rounds, run_embedded
from tests.support.workload import Workload

pytestmark = pytest.mark.postgres

IDLE_S = 1.0
IDLE, TURNS, ONE_STRETCH = "idle", "applying, turns given", "applying, a batch in one stretch"
WAYS = (IDLE, TURNS, ONE_STRETCH)


async def _measure(
    url: str, workload: Workload, way: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Latencies, Latencies]:
    """The requests' latencies and the loop's waits, measured together."""
    applying = asyncio.Event()  # from the first submit: the run's set-up is not measured
    start = None if way == IDLE else applying
    during: Callable[[], Awaitable[object]] = (
        (lambda: asyncio.sleep(IDLE_S))
        if way == IDLE
        else (lambda: run_embedded(url, workload, applying))
    )
    waits: list[Latencies] = []

    async def with_loop_waits() -> None:
        waits.append(await loop_waits(during, start))

    # The earlier rounds' garbage (pools, connections, states) is collected before the clock:
    # a full collection of it inside a later round was a stall of 100-440 ms of its own.
    gc.collect()
    with monkeypatch.context() as patch:
        if way == ONE_STRETCH:
            patch.setattr(off_the_loop, "TURN_SECONDS", math.inf)
        taken = await requests(url, with_loop_waits, start)
    return taken, waits[0]


async def test_a_request_beside_the_consumers(
    test_databases: postgres.TestDatabases,
    workload: Workload,
    monkeypatch: pytest.MonkeyPatch,
    latency_report: Callable[[LatencyComparison], None],
) -> None:
    tune_for_long_runs()  # as every vendorwatch process does, the baseline's rounds included
    measured: dict[str, list[tuple[Latencies, Latencies]]] = {way: [] for way in WAYS}
    for n in range(rounds()):
        for way in WAYS[n % 3 :] + WAYS[: n % 3]:
            async with test_databases.fresh() as url:
                measured[way].append(await _measure(url, workload, way, monkeypatch))

    events = f"{len(workload.events):,} events"
    for way in (TURNS, ONE_STRETCH):
        asked = LatencyComparison(f"SELECT 1 every 5 ms, {events} {way}", "the same, the loop idle")
        waits = LatencyComparison(
            f"loop's wait, {events} {way}", "the same loop, nothing else to do"
        )
        for ours, idle in zip(measured[way], measured[IDLE], strict=True):
            asked.add_round(ours[0], idle[0])
            waits.add_round(ours[1], idle[1])
        latency_report(asked)
        latency_report(waits)
        for which, name in ((0, "SELECT 1"), (1, "loop's wait")):
            longest = statistics.median(max(m[which].seconds) for m in measured[way]) * 1000
            print(f"\n{name}, longest, {way}: {longest:.1f} ms (median of the rounds)")
