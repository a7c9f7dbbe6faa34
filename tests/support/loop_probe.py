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
import time
from collections.abc import Awaitable, Callable

import asyncpg

from tests.support.latency import Latencies

PROBE_EVERY_S = 0.002
DUE_EVERY_S = 0.001


async def round_trips(
    pool: asyncpg.Pool,
    during: Callable[[], Awaitable[object]],
    from_: asyncio.Event | None = None,
) -> Latencies:
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
            taken.append(time.perf_counter() - started)
            await asyncio.sleep(PROBE_EVERY_S)

    prober = asyncio.create_task(probe())
    try:
        await during()
    finally:
        done.set()
        await prober
    return Latencies(taken)


async def loop_waits(
    during: Callable[[], Awaitable[object]], from_: asyncio.Event | None = None
) -> Latencies:
    """How late the loop ran callbacks falling due every millisecond while `during` runs (from
    when `from_` is set, if given)."""
    loop = asyncio.get_running_loop()
    late: list[float] = []
    running = True

    def due(when: float) -> None:
        # Every callback fallen due by now runs in this turn of the loop.
        now = loop.time()
        while when <= now:
            late.append(now - when)
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
    return Latencies(late)
