"""What other work on a process's event loop costs a request there, measured on the same loop
while the work runs:

- `round_trips`: a trivial statement asked every 2 ms, each after the last one's answer (a
  long stretch of work holds back the one round trip in flight);
- `requests`: the same statement asked every 5 ms whether or not the last one was answered,
  each timed from when it was due, as requests arriving from outside are (a stretch of 300 ms
  holds back the 60 due in it);
- `loop_waits`: how late the loop runs a callback falling due every millisecond, timed the
  same way: what a request waits for the loop's first look at it (a request takes several).

The probe's own timers wake up to a millisecond late (the selector's timeout is in whole
milliseconds): part of every figure, the baseline's included, where a request arriving over a
socket would not have it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import asyncpg

from tests.support.latency import Latencies

PROBE_EVERY_S = 0.002
REQUEST_EVERY_S = 0.005
DUE_EVERY_S = 0.001
ANSWERS_WITHIN_S = 30.0  # a request still unanswered then is a fault, not a figure
# Connections the open-loop requests need: a stall of 300 ms leaves 60 due at once.
REQUEST_CONNECTIONS = 64


async def round_trips(pool: asyncpg.Pool, during: Callable[[], Awaitable[object]]) -> Latencies:
    """The statement's round trips on `pool`, asked while `during` runs."""
    taken: list[float] = []
    done = asyncio.Event()

    async def probe() -> None:
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
    assert taken, "no round trip was asked while the work ran"
    return Latencies(taken)


async def _measured(
    during: Callable[[], Awaitable[object]],
    from_: asyncio.Event | None,
    start: Callable[[], None],
    stop: Callable[[], Awaitable[None]],
) -> None:
    """Runs `during`, with `start()` once `from_` is set (at once without one) and `stop()`
    when `during` is over, however it ends."""

    async def starting() -> None:
        if from_ is not None:
            await from_.wait()
        start()

    starter = asyncio.create_task(starting())
    try:
        await during()
    finally:
        try:
            starter.cancel()
            await asyncio.wait({starter})
        finally:
            await stop()


async def requests(
    database_url: str, during: Callable[[], Awaitable[object]], from_: asyncio.Event | None = None
) -> Latencies:
    """The statement asked every REQUEST_EVERY_S on a pool of its own while `during` runs (from
    when `from_` is set, if given: `during`'s own set-up is not what is measured), each timed
    from when it was due."""
    loop = asyncio.get_running_loop()
    taken: list[float] = []
    asked: set[asyncio.Task[None]] = set()
    pool = await asyncpg.create_pool(
        database_url, min_size=REQUEST_CONNECTIONS, max_size=REQUEST_CONNECTIONS
    )

    async def ask(due: float) -> None:
        await pool.fetchval("SELECT 1")
        taken.append(loop.time() - due)

    async def issue() -> None:
        due = loop.time()
        while True:
            while due <= loop.time():  # every request due by now goes out, timed from then
                task = asyncio.create_task(ask(due))
                asked.add(task)
                task.add_done_callback(asked.discard)
                due += REQUEST_EVERY_S
            await asyncio.sleep(max(0.0, due - loop.time()))

    issuing: list[asyncio.Task[None]] = []

    async def stop() -> None:
        for task in issuing:
            task.cancel()
        if issuing:
            await asyncio.wait(issuing)
        async with asyncio.timeout(ANSWERS_WITHIN_S):
            outcomes = await asyncio.gather(*asked, return_exceptions=True)
        if failed := [o for o in outcomes if isinstance(o, BaseException)]:
            raise failed[0]

    try:
        await _measured(during, from_, lambda: issuing.append(asyncio.create_task(issue())), stop)
    except BaseException:
        pool.terminate()
        raise
    await pool.close()
    assert taken, "no request was asked while the work ran"
    return Latencies(list(taken))


async def loop_waits(
    during: Callable[[], Awaitable[object]], from_: asyncio.Event | None = None
) -> Latencies:
    """How late the loop ran callbacks falling due every DUE_EVERY_S while `during` runs (from
    when `from_` is set, if given)."""
    loop = asyncio.get_running_loop()
    late: list[float] = []
    pending: list[asyncio.TimerHandle] = []

    def due(when: float) -> None:
        # Every callback fallen due by now runs in this turn of the loop.
        now = loop.time()
        while when <= now:
            late.append(now - when)
            when += DUE_EVERY_S
        pending[:] = [loop.call_at(when, due, when)]

    async def stop() -> None:
        for handle in pending:
            handle.cancel()

    def first() -> None:
        when = loop.time() + DUE_EVERY_S
        pending.append(loop.call_at(when, due, when))

    await _measured(during, from_, first, stop)
    assert late, "no callback fell due while the work ran"
    return Latencies(list(late))
