"""What other work on a process's event loop costs a request there: a trivial statement's round
trip, asked every 2 ms by the same loop while the work runs. Long stretches of CPU on the
loop show as round trips that wait for them.

Each is timed from when it was due, not from when it could be sent: a stretch of 300 ms holds
back the 150 asked during it, and all of them count (a probe that waits for each answer
before asking again would count that stretch once, as requests arriving from outside would
not).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg

PROBE_EVERY_S = 0.002


@dataclass(frozen=True)
class RoundTrips:
    """One run's round trips (ms), sorted."""

    taken: list[float]

    def p(self, quantile: float) -> float:
        return self.taken[min(len(self.taken) - 1, int(len(self.taken) * quantile))]

    @property
    def p50(self) -> float:
        return statistics.median(self.taken)

    @property
    def p99(self) -> float:
        return self.p(0.99)

    @property
    def longest(self) -> float:
        return self.taken[-1]


async def round_trips(
    pool: asyncpg.Pool,
    during: Callable[[], Awaitable[object]],
    from_: asyncio.Event | None = None,
) -> RoundTrips:
    """The statement's round trips on `pool`, asked while `during` runs (from when `from_` is
    set, if given: `during`'s own set-up is not what is measured)."""
    taken: list[float] = []
    done = asyncio.Event()

    async def ask(due: float) -> None:
        await pool.fetchval("SELECT 1")
        taken.append((time.perf_counter() - due) * 1000)

    async def probe() -> None:
        if from_ is not None:
            await from_.wait()
        async with asyncio.TaskGroup() as asking:
            first, n = time.perf_counter(), 0
            while not done.is_set():
                due = first + n * PROBE_EVERY_S
                if (wait := due - time.perf_counter()) > 0:
                    await asyncio.sleep(wait)
                asking.create_task(ask(due))
                n += 1

    prober = asyncio.create_task(probe())
    try:
        await during()
    finally:
        done.set()
        await prober
    return RoundTrips(sorted(taken))
