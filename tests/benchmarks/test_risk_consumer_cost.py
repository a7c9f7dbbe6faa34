"""The risk consumer's cost per event for a vendor with 1 and with 1,000 prior events
(measured and printed, not asserted).

Two shapes of history, because they scale differently: `lifecycle` is 1,000 events about a
few contracts (amendments: the history grows, the record does not); `new_items` is 1,000
contracts, each a new item on the record that every score lists. The measured events are the
same in every case (a claim filed and settled again and again on the service's "today"),
applied in batches of 50 through the consumer (one handler call per event) and through the
batch handler. The medians of 5 rounds are printed.

Run alone with `./scripts/test tests/benchmarks -s`; the figures are printed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.consuming.consumer import apply_batch
from services.platform.postgres.database import open_pool
from services.risk.domain.model import load_model
from services.risk.handlers import RiskService, risk_consumer
from tests.support import event_log
from tests.support.event_examples import envelope
from tests.support.registry import TOKYO, FixedClock

pytestmark = pytest.mark.postgres

PRIOR = (1, 1000)
MEASURED = 50  # events per round
ROUNDS = 5
SEED_BATCH = 500
TODAY = dt.date(2024, 6, 1)
CONTRACTS_IN_LIFECYCLE = 10


def _event(event_type: str, payload: dict[str, Any], vendor_id: str) -> EventEnvelope:
    return parse_event(json.dumps(envelope(event_type, payload, vendor_id), ensure_ascii=False))


def _contract(vendor_id: str, n: int) -> EventEnvelope:
    payload = {
        "contract_id": f"{vendor_id}-c{n}",
        "agency": "市民課",
        "title": f"System {n}",
        "category": "information_systems",
        "criticality": "resident_facing",
        "awarded_on": "2020-03-01",
        "starts_on": "2020-04-01",
        "ends_on": "2027-03-31",
        "amount": 10_000_000,
    }
    return _event("contract.awarded", payload, vendor_id)


def _amendment(vendor_id: str, n: int) -> EventEnvelope:
    payload = {
        "contract_id": f"{vendor_id}-c{n % CONTRACTS_IN_LIFECYCLE}",
        "effective_on": (dt.date(2021, 1, 1) + dt.timedelta(days=n)).isoformat(),
        "ends_on": (dt.date(2027, 3, 31) + dt.timedelta(days=n)).isoformat(),
        "reason": "Extended.",
    }
    return _event("contract.amended", payload, vendor_id)


def lifecycle(vendor_id: str, count: int) -> list[EventEnvelope]:
    awarded = min(count, CONTRACTS_IN_LIFECYCLE)
    return [_contract(vendor_id, n) for n in range(awarded)] + [
        _amendment(vendor_id, n) for n in range(count - awarded)
    ]


def new_items(vendor_id: str, count: int) -> list[EventEnvelope]:
    return [_contract(vendor_id, n) for n in range(count)]


def _measured(vendor_id: str) -> list[EventEnvelope]:
    """A claim filed and settled over and over: each event touches one item of the record,
    so the record stays the size the history made it while it is measured."""
    day = TODAY.isoformat()
    filed = {"claim_id": "measured", "filed_on": day, "amount": 50_000_000, "description": "M."}
    settled = {"claim_id": "measured", "settled_on": day, "amount": 10_000_000}
    return [
        _event(*(("claim.filed", filed) if n % 2 == 0 else ("claim.settled", settled)), vendor_id)
        for n in range(MEASURED)
    ]


async def _per_event_ms(
    database_url: str, history: Callable[[str, int], list[EventEnvelope]], prior: int
) -> tuple[float, float]:
    """Milliseconds per measured event through the consumer (a handler call per event) and
    through the batch handler (`RiskService.apply_batch`, the batch's transaction around it)."""
    pool = await open_pool(database_url, migrate=False)
    service = RiskService(FixedClock(TOKYO, dt.datetime(2024, 6, 1, 9, tzinfo=TOKYO)), load_model())
    consumer = risk_consumer(service)
    vendor_id = f"bench-{history.__name__}-{prior}"
    try:
        seed = history(vendor_id, prior)
        await event_log.append(pool, seed)  # stored first, as ingest does
        for start in range(0, len(seed), SEED_BATCH):
            async with pool.acquire() as conn, conn.transaction():
                await service.apply_batch(conn, seed[start : start + SEED_BATCH])
        per_event, batched = [], []
        for _ in range(ROUNDS):
            events = _measured(vendor_id)
            await event_log.append(pool, events)
            started = time.perf_counter()
            await apply_batch(pool, consumer, events)
            per_event.append((time.perf_counter() - started) / len(events))
            events = _measured(vendor_id)
            await event_log.append(pool, events)
            started = time.perf_counter()
            async with pool.acquire() as conn, conn.transaction():
                await service.apply_batch(conn, events)
            batched.append((time.perf_counter() - started) / len(events))
        return statistics.median(per_event) * 1000, statistics.median(batched) * 1000
    finally:
        await pool.close()


@pytest.mark.parametrize("history", [lifecycle, new_items], ids=lambda h: h.__name__)
def test_cost_per_event_with_1_and_1000_prior_events(
    database_url: str, history: Callable[[str, int], list[EventEnvelope]]
) -> None:
    figures = {prior: asyncio.run(_per_event_ms(database_url, history, prior)) for prior in PRIOR}
    for way, index in (("handler per event", 0), ("batch handler", 1)):
        few, many = (figures[prior][index] for prior in PRIOR)
        print(
            f"\nrisk consumer, {history.__name__}, {way}: {few:.2f} ms/event with {PRIOR[0]}"
            f" prior event, {many:.2f} ms/event with {PRIOR[1]} prior events;"
            f" ratio {many / few:.2f}"
        )
