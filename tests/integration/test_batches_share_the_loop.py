"""The services' batch handlers share the event loop they run on: in embedded mode the API,
ingest and the other consumers run there too, and a batch of 2,000 events is some 0.3 s of
risk's CPU (and 30 ms and more of the registry's for its sanctions) that would otherwise hold
them all. Between two of a batch's events the loop gets a turn once
`off_the_loop.TURN_SECONDS` have passed (here none, so after every event), and what runs in
those turns (the API reading the same vendors' scores) changes nothing the batch writes."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import pytest

from services.events.base import EventEnvelope
from services.platform import off_the_loop
from services.platform.consuming.consumer import apply_batch
from services.platform.postgres.database import open_pool
from services.registry.batch.sanction_rules import SanctionFold
from services.registry.handlers import registry_consumer
from services.registry.policy_loading import load_policies
from services.risk import handlers
from services.risk.domain.model import load_model
from services.risk.handlers import RELEVANT, RiskService
from tests.support import event_log, postgres, workload
from tests.support.registry import TOKYO, FixedClock
from tests.support.risk_answers import DIGESTS, TODAY, digests

pytestmark = pytest.mark.postgres

EVENTS = 3_000


@pytest.fixture
def turns_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every `Turns.give` gives the loop a turn."""
    monkeypatch.setattr(off_the_loop, "TURN_SECONDS", 0.0)


@pytest.fixture
async def logged(pool: asyncpg.Pool) -> Sequence[EventEnvelope]:
    """The workload's events, in the log as ingest stores them."""
    events = workload.build(EVENTS).events
    await event_log.append(pool, events)
    return events


def _calls_counted(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[int]:
    """`owner.name` replaced, for the test, by a wrapper counting its calls in `[0]` of the
    list returned."""
    calls = [0]
    original = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


async def _steps_between_turns(apply: Callable[[], Awaitable[object]], steps: list[int]) -> int:
    """The most steps (`steps[0]`, counted by the work) done between two runs of another task
    while `apply` runs."""
    seen: list[int] = []

    async def other_work() -> None:
        while True:
            seen.append(steps[0])
            await asyncio.sleep(0)

    other = asyncio.create_task(other_work())
    try:
        await apply()
    finally:
        other.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await other
    assert len(seen) > 1, "the other task never ran while the batch was applied"
    return max(b - a for a, b in itertools.pairwise(seen))


@pytest.mark.usefixtures("turns_at_once")
async def test_a_risk_batch_gives_the_loop_a_turn_between_its_events(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch, logged: Sequence[EventEnvelope]
) -> None:
    events = logged
    relevant = [e for e in events if isinstance(e.payload, RELEVANT)]
    assert len(relevant) > 1_000, "the batch must hold enough of risk's events to mean anything"
    # Every fold of an event into a subject vendor's state.
    folded = _calls_counted(monkeypatch, handlers, "fold_one")

    async def apply() -> None:
        async with pool.acquire() as conn, conn.transaction():
            await RiskService(FixedClock(TOKYO, TODAY), load_model()).apply_batch(conn, events)

    most = await _steps_between_turns(apply, folded)
    assert folded[0] >= len(relevant)
    # An event folds into each vendor it bears on: two at most (an incident and its causer).
    assert most <= 2


@pytest.mark.usefixtures("turns_at_once")
async def test_the_daily_re_scoring_gives_the_loop_a_turn_between_two_vendors(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch, logged: Sequence[EventEnvelope]
) -> None:
    service = RiskService(FixedClock(TOKYO, TODAY), load_model())
    async with pool.acquire() as conn, conn.transaction():
        await service.apply_batch(conn, logged)
    vendors = sorted({e.vendor_id for e in logged if isinstance(e.payload, RELEVANT)})[:100]
    scored = _calls_counted(monkeypatch, RiskService, "_score")

    async def refresh() -> None:
        async with pool.acquire() as conn, conn.transaction():
            await service.refresh(conn, vendors)

    most = await _steps_between_turns(refresh, scored)
    assert scored[0] == len(vendors)
    assert most <= 1


@pytest.mark.usefixtures("turns_at_once")
async def test_a_registry_batch_gives_the_loop_a_turn_between_its_sanction_events(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch, logged: Sequence[EventEnvelope]
) -> None:
    added = _calls_counted(monkeypatch, SanctionFold, "add")
    consumer = registry_consumer(FixedClock(TOKYO), load_policies())

    async def apply() -> Any:
        return await apply_batch(pool, consumer, logged)

    most = await _steps_between_turns(apply, added)
    assert added[0] > 100, "the batch must hold enough sanction events to mean anything"
    assert most <= 1


async def _apply_in_halves(
    url: str, events: Sequence[EventEnvelope], reading: bool, folded: list[int]
) -> int:
    """Applies the events to risk in two batches, with the API's reads of the same vendors'
    scores running between the batches' turns if `reading`; returns how many reads ended
    while a batch was between two of its events (`folded[0]`: its folds so far, counted by
    the caller's patch, above 0 and below the batch's total)."""
    vendors = sorted({e.vendor_id for e in events if isinstance(e.payload, RELEVANT)})
    pool = await open_pool(url, migrate=False)
    service = RiskService(FixedClock(TOKYO, TODAY), load_model())
    ended: list[tuple[int, int]] = []  # per read: the batch applied then, and its folds so far
    totals: list[int] = []  # per batch, its folds
    applied = asyncio.Event()

    async def read_scores() -> None:
        async with pool.acquire() as conn:
            for vendor_id in itertools.cycle(vendors):
                if applied.is_set():
                    return
                await service.evaluate(conn, vendor_id, service.clock.today())
                ended.append((len(totals), folded[0]))

    reader = None
    try:
        await event_log.append(pool, events)
        reader = asyncio.create_task(read_scores()) if reading else None
        half = len(events) // 2
        folded[0] = 0
        for part in (events[:half], events[half:]):
            async with pool.acquire() as conn, conn.transaction():
                await service.apply_batch(conn, part)
                totals.append(folded[0])
                folded[0] = 0
    finally:
        applied.set()
        if reader is not None:
            await reader
        await pool.close()
    return sum(1 for batch, so_far in ended if batch < len(totals) and 0 < so_far < totals[batch])


@pytest.mark.usefixtures("turns_at_once")
async def test_reading_scores_between_a_batch_s_turns_changes_nothing_it_writes(
    test_databases: postgres.TestDatabases, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API scores vendors with the same service (its memo of factors included) while a
    batch of theirs is half applied: the batch must write what it writes alone."""
    folded = _calls_counted(monkeypatch, handlers, "fold_one")
    events = workload.build(EVENTS).events
    written = []
    for reading in (False, True):
        async with test_databases.fresh() as url:
            mid_batch = await _apply_in_halves(url, events, reading, folded)
            if reading:
                assert mid_batch > 100, "the reads must end between the batch's events"
            # Every history row, current and announced score, announcement and evidence body,
            # as read (tests/support/risk_answers.py).
            written.append(await digests(url))
    assert written[0] == DIGESTS[EVENTS], "alone, the batches must give the recorded answers"
    assert written[1] == written[0]
