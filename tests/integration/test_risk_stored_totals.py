"""The agencies' counters of running critical contracts as a later batch reads them back from
PostgreSQL (summed there up to each day): the same totals, and so the same concentration and
history, as when every contract came in one batch."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import asyncpg
import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.events.contract import ContractAwarded
from services.risk import history as risk_history
from services.risk.domain.model import load_model
from services.risk.handlers import RiskService
from tests.support import event_log
from tests.support.event_examples import envelope
from tests.support.registry import TOKYO, FixedClock

pytestmark = pytest.mark.postgres


def _award(vendor_id: str, agency: str, n: int, starts_on: dt.date, years: int) -> EventEnvelope:
    payload = {
        "contract_id": f"{vendor_id}-c{n}",
        "agency": agency,
        "title": f"System {n}",
        "category": "information_systems",
        "criticality": "resident_facing" if n % 3 else "legally_mandated",
        "awarded_on": (starts_on - dt.timedelta(days=30)).isoformat(),
        "starts_on": starts_on.isoformat(),
        "ends_on": starts_on.replace(year=starts_on.year + years).isoformat(),
        "amount": 10_000_000,
    }
    return parse_event(json.dumps(envelope("contract.awarded", payload, vendor_id)))


def _awards(agency: str, run: str) -> list[EventEnvelope]:
    """Two vendors' critical contracts at one agency, starting and ending on many days (the
    vendors named after the run: each run below has its own)."""
    return [
        _award(
            f"totals-{run}-{vendor}",
            agency,
            n,
            dt.date(2015, 1, 1) + dt.timedelta(days=97 * n),
            1 + n % 3,
        )
        for n in range(12)
        for vendor in ("a", "b")
    ]


async def _applied(pool: asyncpg.Pool, batches: list[list[EventEnvelope]]) -> list[Any]:
    """The history of the batches' vendors as read, in log order: day, score, points, the
    totals' values."""
    service = RiskService(FixedClock(TOKYO, dt.datetime(2024, 6, 1, 9, tzinfo=TOKYO)), load_model())
    for batch in batches:
        await event_log.append(pool, batch)  # as ingest stores an event before risk sees it
        async with pool.acquire() as conn, conn.transaction():
            await service.apply_batch(conn, batch)
    vendors = sorted({e.vendor_id for batch in batches for e in batch})
    async with pool.acquire() as conn:
        totals = {
            r["seq"]: list(json.loads(r["agency_totals"]).values())
            for r in await conn.fetch(
                "SELECT seq, agency_totals::text AS agency_totals FROM risk_history"
                " WHERE vendor_id = ANY($1::text[])",
                vendors,
            )
        }
        read = [
            (seq, as_of, score)
            for vendor in vendors
            for seq, as_of, score in await risk_history.history(conn, service.model, vendor)
        ]
    return [
        (as_of, score.score, [(f.name, f.contribution) for f in score.factors], totals[seq])
        for seq, as_of, score in sorted(read, key=lambda entry: entry[0])
    ]


async def test_totals_read_back_count_as_those_kept_in_the_batch(pool: asyncpg.Pool) -> None:
    events = _awards("市民課", "together")
    together = await _applied(pool, [events])
    # The same contracts at another agency, a batch each: every batch reads the stored totals.
    assert await _applied(pool, [[event] for event in _awards("税務課", "apart")]) == together
    # Each row's total is the contracts awarded so far that run on its day.
    for at, (as_of, _, _, totals) in enumerate(together):
        awarded = [e.payload for e in events[: at + 1] if isinstance(e.payload, ContractAwarded)]
        assert totals == [sum(1 for c in awarded if c.starts_on <= as_of <= c.ends_on)]
