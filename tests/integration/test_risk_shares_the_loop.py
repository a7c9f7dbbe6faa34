"""The risk service's batch handler shares the event loop it runs on: in embedded mode the API,
ingest and the other consumers run there too, and a batch of 2,000 events is some 0.3 s of
CPU that would otherwise hold them all. Between two of the batch's events the loop gets a
turn once `off_the_loop.TURN_SECONDS` have passed (here none, so after every event)."""

from __future__ import annotations

import asyncio
import itertools

import asyncpg
import pytest

from services.events.base import EventEnvelope
from services.platform import off_the_loop
from services.risk import handlers
from services.risk.domain import fold
from services.risk.domain.facts import VendorState
from services.risk.domain.model import load_model
from services.risk.handlers import RELEVANT, RiskService
from tests.support import event_log, workload
from tests.support.registry import TOKYO, FixedClock
from tests.support.risk_answers import TODAY

pytestmark = pytest.mark.postgres

EVENTS = 3_000


async def test_a_batch_gives_the_loop_a_turn_between_its_events(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = workload.build(EVENTS).events
    relevant = [e for e in events if isinstance(e.payload, RELEVANT)]
    assert len(relevant) > 1_000, "the batch must hold enough of risk's events to mean anything"
    await event_log.append(pool, events)
    monkeypatch.setattr(off_the_loop, "TURN_SECONDS", 0.0)

    folded = 0  # every fold of an event into a subject vendor's state
    fold_one = fold.fold_one

    def counted(state: VendorState, event: EventEnvelope) -> VendorState:
        nonlocal folded
        folded += 1
        return fold_one(state, event)

    monkeypatch.setattr(handlers, "fold_one", counted)
    seen: list[int] = []  # `folded` as another task found it, each time it ran

    async def other_work() -> None:
        while True:
            seen.append(folded)
            await asyncio.sleep(0)

    other = asyncio.create_task(other_work())
    try:
        async with pool.acquire() as conn, conn.transaction():
            await RiskService(FixedClock(TOKYO, TODAY), load_model()).apply_batch(conn, events)
    finally:
        other.cancel()
    assert folded >= len(relevant)
    # An event folds into each vendor it bears on: two at most (an incident and its causer).
    assert max(b - a for a, b in itertools.pairwise(seen)) <= 2
