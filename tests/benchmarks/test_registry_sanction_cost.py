"""The registry's cost per sanction event for a vendor with 1 and with 1,000 prior sanctions
(measured and printed, not asserted): risk's cost against history is
`test_risk_consumer_cost.py`'s; this is the judge's.

Every sanction event re-screens its vendor for the day the log recorded it. The prior
sanctions are suspensions of two months, one a week from 2000 on, all ended years before that
day: they can bar nothing then. The measured events are the same in every case, a suspension
imposed from the day and lifted on its first day, again and again (so that the vendor's
record of sanctions still in force stays as the history made it), applied through the
consumer one event per batch and in batches of 50. The medians of 5 rounds are printed, with
the process's CPU beside the wall time (the machine is shared).

Run alone with `./scripts/test tests/benchmarks/test_registry_sanction_cost.py -s`.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import json
import statistics
import time
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.consuming.consumer import Consumer, apply_batch
from services.platform.postgres.database import open_pool
from services.registry.handlers import registry_consumer
from services.registry.policy_loading import load_policies
from tests.support import event_log
from tests.support.event_examples import VALID_PAYLOADS, envelope
from tests.support.registry import TOKYO, FixedClock

pytestmark = pytest.mark.postgres

PRIOR = (1, 1000)
MEASURED = 50  # events per round: 25 suspensions, each imposed and lifted
ROUNDS = 5
SEED_BATCH = 500


def _event(event_type: str, payload: dict[str, Any], vendor_id: str) -> EventEnvelope:
    return parse_event(json.dumps(envelope(event_type, payload, vendor_id), ensure_ascii=False))


def _registered(vendor_id: str) -> EventEnvelope:
    payload = copy.deepcopy(VALID_PAYLOADS["vendor.registered"])
    payload["identifiers"] = [{"scheme": "internal", "value": vendor_id}]
    return _event("vendor.registered", payload, vendor_id)


def _imposed(vendor_id: str, sanction_id: str, starts_on: dt.date) -> EventEnvelope:
    payload = copy.deepcopy(VALID_PAYLOADS["sanction.imposed"])
    payload.update(
        sanction_id=sanction_id,
        decided_on=(starts_on - dt.timedelta(days=1)).isoformat(),
        starts_on=starts_on.isoformat(),
        duration_months=2,
    )
    return _event("sanction.imposed", payload, vendor_id)


def _lifted(vendor_id: str, sanction_id: str, effective_on: dt.date) -> EventEnvelope:
    payload = copy.deepcopy(VALID_PAYLOADS["sanction.lifted"])
    payload.update(sanction_id=sanction_id, effective_on=effective_on.isoformat())
    return _event("sanction.lifted", payload, vendor_id)


def _history(vendor_id: str, prior: int) -> list[EventEnvelope]:
    first = dt.date(2000, 1, 3)
    return [_registered(vendor_id)] + [
        _imposed(vendor_id, f"{vendor_id}-past-{n:04d}", first + dt.timedelta(weeks=n))
        for n in range(prior)
    ]


def _measured(vendor_id: str, label: str, day: dt.date) -> list[EventEnvelope]:
    events = []
    for n in range(MEASURED // 2):
        sanction_id = f"{vendor_id}-now-{label}-{n}"
        events += [_imposed(vendor_id, sanction_id, day), _lifted(vendor_id, sanction_id, day)]
    return events


@dataclass(frozen=True)
class _Cost:
    wall_ms: float
    cpu_ms: float


async def _timed(
    pool: asyncpg.Pool, consumer: Consumer, batches: list[list[EventEnvelope]]
) -> _Cost:
    events = sum(len(batch) for batch in batches)
    wall, cpu = time.perf_counter(), time.process_time()
    for batch in batches:
        await apply_batch(pool, consumer, batch)
    return _Cost(
        (time.perf_counter() - wall) / events * 1000, (time.process_time() - cpu) / events * 1000
    )


async def _per_event(database_url: str, prior: int) -> dict[str, _Cost]:
    """Per measured event, one event a batch and 50 a batch (medians of the rounds)."""
    pool = await open_pool(database_url, migrate=False)
    consumer = registry_consumer(FixedClock(TOKYO), load_policies())
    vendor_id = f"bench-{prior}"
    try:
        seed = _history(vendor_id, prior)
        await event_log.append(pool, seed)  # stored first, as ingest does
        for start in range(0, len(seed), SEED_BATCH):
            await apply_batch(pool, consumer, seed[start : start + SEED_BATCH])
        # The day the log records the measured events: the re-screens' day.
        day = (await pool.fetchval("SELECT now()")).astimezone(TOKYO).date()
        rounds: dict[str, list[_Cost]] = {"one a batch": [], "50 a batch": []}
        for round_number in range(ROUNDS):
            for way, costs in rounds.items():
                events = _measured(vendor_id, f"{round_number}-{len(way)}", day)
                await event_log.append(pool, events)
                batches = [[e] for e in events] if way == "one a batch" else [events]
                costs.append(await _timed(pool, consumer, batches))
        refused = await pool.fetchval("SELECT count(*) FROM processed_events WHERE refused")
        assert refused == 0, "the benchmark's events must all be accepted"
        return {
            way: _Cost(
                statistics.median(c.wall_ms for c in costs),
                statistics.median(c.cpu_ms for c in costs),
            )
            for way, costs in rounds.items()
        }
    finally:
        await pool.close()


def test_registry_cost_per_sanction_event_with_1_and_1000_prior_sanctions(
    database_url: str,
) -> None:
    figures = {prior: asyncio.run(_per_event(database_url, prior)) for prior in PRIOR}
    for way in figures[PRIOR[0]]:
        few, many = (figures[prior][way] for prior in PRIOR)
        print(
            f"\nregistry, sanction events {way}: {few.wall_ms:.2f} ms/event"
            f" (CPU {few.cpu_ms:.2f}) with {PRIOR[0]} prior sanction, {many.wall_ms:.2f} ms/event"
            f" (CPU {many.cpu_ms:.2f}) with {PRIOR[1]}; ratio {many.wall_ms / few.wall_ms:.2f}"
            f" (CPU {many.cpu_ms / few.cpu_ms:.2f})"
        )
