"""A process waiting at start-up tries its dependency again every few seconds at most, whatever
the loops' back-off cap: nothing tells it the dependency is back, so a long wait was the
time it went on after its database came back (up to 16 s, an operator's test)."""

from __future__ import annotations

import pytest

from services.platform.operations import retry
from services.platform.operations.start_up import WAIT_AT_MOST_SECONDS, StartUp


async def test_start_up_waits_at_most_a_few_seconds_between_attempts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VENDORWATCH_RETRY_FIRST_SECONDS", "1")
    monkeypatch.setenv("VENDORWATCH_RETRY_MAX_SECONDS", "30")
    waits: list[float] = []

    async def slept(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(retry, "back_off", slept)
    attempts = 0

    async def reach() -> str:
        nonlocal attempts
        attempts += 1
        if attempts <= 8:  # the loops' doubling waits would reach their 30 s cap by then
            raise ConnectionRefusedError("PostgreSQL not up yet")
        return "reached"

    assert await StartUp().wait_for("database", "postgresql://db/vw", reach) == "reached"
    assert len(waits) == 8
    assert max(waits) <= WAIT_AT_MOST_SECONDS
