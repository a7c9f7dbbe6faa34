"""A loop that cannot reach PostgreSQL or Kafka waits between attempts as the settings say:
production's 0.5 s doubling up to 30 s unless VENDORWATCH_RETRY_FIRST_SECONDS and
VENDORWATCH_RETRY_MAX_SECONDS say otherwise (the outage test shrinks the cap), and a bad value
stops the command with one line naming its variable."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import pytest

from services.platform.errors import StartupError
from services.platform.operations import retry
from services.platform.operations.liveness import Liveness
from services.platform.operations.retry import until_done
from services.platform.settings import Settings, retry_backoff


@pytest.fixture(autouse=True)
def read_again() -> Iterator[None]:
    """The back-off is read once per process: each test reads its own environment."""
    retry_backoff.cache_clear()
    yield
    retry_backoff.cache_clear()


async def waits_until_done(failures: int, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits `until_done` sleeps through for an operation failing `failures` times (the
    sleeps are recorded, not slept)."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    attempts = iter(range(failures + 1))

    async def operation() -> str:
        if next(attempts) < failures:
            raise ConnectionRefusedError("PostgreSQL is down")
        return "done"

    with monkeypatch.context() as patched:
        patched.setattr(retry, "back_off", sleep)  # the sleep until_done hands tenacity
        assert await until_done(operation, "test loop") == "done"
    return waits


async def test_production_waits_double_from_half_a_second_up_to_half_a_minute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("RETRY_FIRST_SECONDS", "RETRY_MAX_SECONDS"):
        monkeypatch.delenv(f"VENDORWATCH_{name}", raising=False)
    waits = await waits_until_done(9, monkeypatch)
    # 0.5 s × 2^n, plus up to 1 s of jitter, capped.
    floors = [0.5, 1, 2, 4, 8, 16]
    assert all(floor <= wait < floor + 1 for wait, floor in zip(waits[:6], floors, strict=True))
    assert waits[6:] == [30.0, 30.0, 30.0]


async def test_the_environment_shrinks_the_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VENDORWATCH_RETRY_FIRST_SECONDS", "0.25")
    monkeypatch.setenv("VENDORWATCH_RETRY_MAX_SECONDS", "2")
    waits = await waits_until_done(6, monkeypatch)
    assert 0.25 <= waits[0] < 1.25
    assert 0.5 <= waits[1] < 1.5
    assert waits[3:] == [2.0, 2.0, 2.0]


def test_a_bad_back_off_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VENDORWATCH_RETRY_MAX_SECONDS", "0")
    with pytest.raises(StartupError, match="VENDORWATCH_RETRY_MAX_SECONDS: Input should be"):
        Settings(database_url="postgresql:///given")


async def test_a_loop_that_never_returns_is_told_recovered_once_it_runs_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The live fan-out and the relays run until stopped: after an outage their liveness said
    "failing" for good, since it heard of success only when an attempt returned."""
    monkeypatch.setenv("VENDORWATCH_RETRY_FIRST_SECONDS", "0.01")
    monkeypatch.setenv("VENDORWATCH_RETRY_MAX_SECONDS", "0.01")
    monkeypatch.setattr(retry, "RECOVERED_AFTER_SECONDS", 0.05, raising=False)
    retry_backoff.cache_clear()
    live = Liveness("endless")
    attempts = 0

    async def endless() -> None:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise ConnectionRefusedError(111, "Connection refused")
        await asyncio.Event().wait()  # runs until stopped, as a follower does

    running = asyncio.create_task(until_done(endless, "endless", live))
    try:
        await asyncio.sleep(0.03)
        assert live.failing_since is not None
        await asyncio.sleep(0.2)
        assert live.failing_since is None and attempts == 2
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        retry_backoff.cache_clear()


async def test_a_stop_turned_into_a_failure_under_it_stops_the_loop() -> None:
    """Python 3.11's `asyncio.wait_for` (asyncpg's connect uses it) answers a cancellation
    that comes as its awaitable fails with that failure: the stop reached the loop as an
    outage, was retried, and the loop ran on; `up` stopping waited for it for good."""
    loop = asyncio.get_running_loop()
    connecting: asyncio.Future[None] = loop.create_future()
    waiting = asyncio.Event()
    attempts = 0

    async def operation() -> None:
        nonlocal attempts
        attempts += 1
        waiting.set()
        await asyncio.wait_for(connecting, 60)

    task = asyncio.create_task(until_done(operation, "test loop"))
    await waiting.wait()
    # The connection fails, and the stop comes, in the same turn of the loop.
    connecting.set_exception(ConnectionRefusedError("PostgreSQL is gone"))
    task.cancel()
    done, _ = await asyncio.wait([task], timeout=10)
    assert done == {task} and task.cancelled()
    assert attempts == 1
