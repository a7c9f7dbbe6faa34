"""Work on a batch shares the event loop: `Turns` hands the loop a turn once its time has passed
since the last, and not before (a turn per item would cost a loop pass each)."""

from __future__ import annotations

import asyncio

import pytest

from services.platform import off_the_loop
from services.platform.off_the_loop import Turns


async def _passes_of_other_work(turns: Turns, items: int) -> int:
    """How many times another task ran while `items` items of work gave their turns."""
    passes = 0

    async def other() -> None:
        nonlocal passes
        while True:
            passes += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(other())
    await asyncio.sleep(0)  # it starts
    started = passes
    for _ in range(items):
        await turns.give()
    ran = passes - started
    task.cancel()
    return ran


async def test_the_loop_gets_a_turn_once_the_time_has_passed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(off_the_loop, "TURN_SECONDS", 0.0)
    assert await _passes_of_other_work(Turns(), 50) == 50


async def test_no_turn_before_the_time_has_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(off_the_loop, "TURN_SECONDS", 3600.0)
    assert await _passes_of_other_work(Turns(), 50) == 0
