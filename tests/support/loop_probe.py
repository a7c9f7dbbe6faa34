"""What other work on a process's event loop costs a request there, measured on the same loop
while the work runs, two ways:

- `round_trips`: a trivial statement asked every 2 ms, each after the last one's answer;
- `loop_waits`: how long the loop keeps waiting a callback due every millisecond. Each is
  timed from when it was due, and the next falls due a millisecond later whether or not the
  last one ran: a stretch of 300 ms of CPU on the loop counts as the 300 callbacks due in it
  that waited 300, 299, … ms, as requests arriving from outside would. (A round trip waits for
  the last one first, so the same stretch holds back one of them.)
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg

PROBE_EVERY_S = 0.002
DUE_EVERY_S = 0.001


@dataclass(frozen=True)
class Waits:
    """One run's waits (ms), sorted."""

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
) -> Waits:
    """The statement's round trips on `pool`, asked while `during` runs (from when `from_` is
    set, if given: `during`'s own set-up is not what is measured)."""
    taken: list[float] = []
    done = asyncio.Event()

    async def probe() -> None:
        if from_ is not None:
            await from_.wait()
        while not done.is_set():
            started = time.perf_counter()
            await pool.fetchval("SELECT 1")
            taken.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(PROBE_EVERY_S)

    prober = asyncio.create_task(probe())
    try:
        await during()
    finally:
        done.set()
        await prober
    return Waits(sorted(taken))


async def loop_waits(
    during: Callable[[], Awaitable[object]], from_: asyncio.Event | None = None
) -> Waits:
    """How late the loop ran callbacks falling due every millisecond while `during` runs (from
    when `from_` is set, if given)."""
    loop = asyncio.get_running_loop()
    late: list[float] = []
    running = True

    def due(when: float) -> None:
        # Every callback fallen due by now runs in this turn of the loop.
        now = loop.time()
        while when <= now:
            late.append((now - when) * 1000)
            when += DUE_EVERY_S
        if running:
            loop.call_at(when, due, when)

    async def start() -> None:
        if from_ is not None:
            await from_.wait()
        due(loop.time())

    starting = asyncio.create_task(start())
    try:
        await during()
    finally:
        running = False
        starting.cancel()
    return Waits(sorted(late))
