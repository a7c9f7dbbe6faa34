"""A distributed worker's periodic job (the chain's look, the calendars, the planner) that
fails is retried on the outage back-off, never further apart than its period, until it
succeeds: retried only at its next tick, a job that failed while PostgreSQL was down kept the
worker's /healthz `degraded`, its stale `last_error` shown, for up to a minute after
PostgreSQL was back (an operator's finding)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from types import SimpleNamespace
from typing import cast

import faust
import pytest

from services.platform.eventlog.faust_runtime import WorkerResources, add_periodic
from services.platform.operations import retry
from services.platform.settings import Settings, retry_backoff

Tick = Callable[[], Awaitable[None]]


class _Timers:
    """What add_periodic asks of the faust app: its id, and a timer to run the tick on."""

    def __init__(self) -> None:
        self.conf = SimpleNamespace(id="vendorwatch-registry")
        self.ticks: dict[str, tuple[float, Tick]] = {}

    def timer(self, seconds: float, name: str) -> Callable[[Tick], Tick]:
        def register(tick: Tick) -> Tick:
            self.ticks[name] = (seconds, tick)
            return tick

        return register


@pytest.fixture(autouse=True)
def production_back_off(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("RETRY_FIRST_SECONDS", "RETRY_MAX_SECONDS"):
        monkeypatch.delenv(f"VENDORWATCH_{name}", raising=False)
    retry_backoff.cache_clear()
    yield
    retry_backoff.cache_clear()


async def test_a_failed_job_is_retried_on_the_back_off_within_its_period(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(retry, "back_off", sleep)  # the waits recorded, not slept
    settings = Settings(database_url="postgresql://worker@db/vendorwatch", kafka_bootstrap="k:9092")
    resources = WorkerResources(settings, "registry")
    outage = iter(range(6))

    async def job(_: WorkerResources) -> None:
        if next(outage) < 5:
            raise ConnectionRefusedError("PostgreSQL is down")

    timers = _Timers()
    add_periodic(cast(faust.App, timers), "registry-calendar", 3.0, resources, job)
    (liveness,) = resources.livenesses
    seconds, tick = timers.ticks["vendorwatch-registry.registry-calendar"]
    assert seconds == 3.0

    await tick()
    # PostgreSQL back, the job ran within the tick: nothing stale left on /healthz.
    assert liveness.report() == {
        "job": "registry-calendar",
        "stalled": False,
        "failing_for_seconds": 0.0,
    }
    assert next(outage, None) is None
    # Backing off as a consumer does (0.5 s, 1 s, 2 s and jitter), but never beyond the period.
    assert len(waits) == 5 and waits[0] < 1.5 and all(wait <= 3.0 for wait in waits)
    assert waits[-2:] == [3.0, 3.0]
