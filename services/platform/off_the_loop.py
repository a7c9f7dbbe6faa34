"""CPU work on a batch, kept off the event loop once the batch is more than a few items:
parsing a batch of events takes long enough to delay every other request and consumer. Work
that must stay on the loop (it reads and writes the state of a transaction in hand) gives
the loop a turn every few milliseconds instead (`Turns`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this, a thread costs more than the work.
INLINE_ITEMS = 20


async def for_batch(work: Callable[[Sequence[Item]], Result], items: Sequence[Item]) -> Result:
    """`work(items)`, in a worker thread for a batch larger than INLINE_ITEMS."""
    if len(items) > INLINE_ITEMS:
        return await asyncio.to_thread(work, items)
    return work(items)


# CPU work on the loop this long at most before the loop gets a turn. A turn runs one step of
# every ready task, so what a request waits is this plus the other tasks' steps, per step of
# its own (tests/benchmarks/test_loop_during_apply.py).
TURN_SECONDS = 0.005


class Turns:
    """Gives the event loop a turn once TURN_SECONDS of work have passed since the last one:
    `await turns.give()` between the items of a long loop over a batch. A turn is one pass
    of the loop (every ready callback and I/O event runs once); the work goes on after it."""

    __slots__ = ("_clock", "_since")

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        self._since = clock()

    async def give(self) -> None:
        if self._clock() - self._since >= TURN_SECONDS:
            await asyncio.sleep(0)
            self._since = self._clock()
