"""Cutting a retried loop's back-off short once PostgreSQL answers again.

A loop that cannot reach PostgreSQL backs off, doubling its wait up to a cap (retry.py; 30 s
by default), so after an outage of a minute every loop of the process (the consumers, the
relays, the calendar, the live fan-out) sat out the rest of its last wait, up to 30 s of
events waiting in the log for no reason. The process hears first when PostgreSQL is back:
its kept LISTEN connections are replaced as soon as it takes one (consuming/notices.py),
which calls `reached_again`. Every back-off of the process then ends within a moment
(jittered, so its loops do not all retry in one instant), and for a short while after, a
failure (a pooled connection lost in the outage, found dead on first use) is retried as
soon: the escalated wait is for an outage still going on, not one just over.

A process without a kept LISTEN (a distributed worker) hears nothing, and backs off as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import weakref

# How long after PostgreSQL is back a failing attempt is retried within JITTER_SECONDS.
AFTER_BACK_SECONDS = 5.0
JITTER_SECONDS = 1.0

# Per event loop (tests run several, one after the other): the back-offs under way, and when
# PostgreSQL was last heard back.
_sleeping: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, set[asyncio.Future[None]]] = (
    weakref.WeakKeyDictionary()
)
_back_at: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, float] = weakref.WeakKeyDictionary()


def reached_again() -> None:
    """PostgreSQL answers again after this process lost it: ends the back-offs under way."""
    loop = asyncio.get_running_loop()
    _back_at[loop] = loop.time()
    for sleeping in _sleeping.get(loop, ()):
        if not sleeping.done():
            sleeping.set_result(None)


async def back_off(seconds: float) -> None:
    """Sleeps `seconds`, or less: a moment once PostgreSQL is heard back (`reached_again`),
    and at most a moment when it was heard back lately."""
    loop = asyncio.get_running_loop()
    if loop.time() - _back_at.get(loop, -math.inf) < AFTER_BACK_SECONDS:
        await asyncio.sleep(random.uniform(0, min(seconds, JITTER_SECONDS)))
        return
    woken: asyncio.Future[None] = loop.create_future()
    sleeping = _sleeping.setdefault(loop, set())
    sleeping.add(woken)
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(woken, seconds)
            await asyncio.sleep(random.uniform(0, JITTER_SECONDS))
    finally:
        sleeping.discard(woken)
