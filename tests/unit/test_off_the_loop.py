"""Work on a batch shares the event loop: `Turns` hands the loop a turn once TURN_SECONDS have
passed since the last turn, and not before (a turn per item would cost a loop pass each)."""

from __future__ import annotations

import asyncio
import contextlib

from services.platform.off_the_loop import TURN_SECONDS, Turns


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def _turns_given(turns: Turns, clock: _Clock, times: list[float]) -> list[bool]:
    """Per time in `times`, whether another task ran when the work gave its turn then."""
    passes = 0

    async def other() -> None:
        nonlocal passes
        while True:
            passes += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(other())
    await asyncio.sleep(0)  # it starts
    given = []
    try:
        for now in times:
            clock.now = now
            before = passes
            await turns.give()
            given.append(passes > before)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return given


async def test_a_turn_once_the_time_has_passed_since_the_last_turn() -> None:
    clock = _Clock()
    half, whole = TURN_SECONDS / 2, TURN_SECONDS
    times = [half, whole, whole + half, 2 * whole, 2 * whole + half, 3.5 * whole]
    assert await _turns_given(Turns(clock), clock, times) == [
        False,  # not yet
        True,  # the time has passed since the start
        False,  # counted from that turn, not from the start
        True,
        False,
        True,  # however long past
    ]


async def test_no_turn_while_the_work_is_short() -> None:
    clock = _Clock()
    times = [TURN_SECONDS * i / 100 for i in range(100)]
    assert not any(await _turns_given(Turns(clock), clock, times))
