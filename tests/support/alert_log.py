"""The alerts driven through the event store: each event recorded at its own moment (as ingest
stores it), judged by the registry, its announcements recorded after it, then all applied by
the alerts consumer in the store's order, as every mode applies them; and that consumer
applied again from an empty ledger or from nothing. What the alerts judge "as known when the
log recorded the event" needs the moments the store gives."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import asyncpg

from services.alerts import setup as alerts_setup
from services.events.catalog import parse_event
from services.platform.consuming.consumer import Consumer, apply_serialized_batch
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.event_log import append
from tests.support.registry_db import apply, outbox

ALERTED = """SELECT alert_id, agency, vendor_id, change, as_of, eligible_again_on, reasons,
                    extended_by, watchlists, cause_event_id
             FROM alerts ORDER BY seq"""


class AlertLog:
    """The log of one test, and the alerts consumer that follows it."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.alerts: Consumer = alerts_setup.consumer(Settings(database_url="unused"))
        self.lines: list[bytes] = []  # what the alerts consumer read, in order

    async def record(self, *events: dict[str, Any], held: bool = False) -> list[dict[str, Any]]:
        """Records and applies the events, then the registry's announcements of them, which it
        returns; `held`: those are left to `relay` (an outbox not relayed yet, while other
        events are recorded)."""
        await self._store(events)
        await apply(self.pool, *events)
        announced = await outbox(self.pool)
        await self.pool.execute("DELETE FROM registry_outbox")
        await self._follow(events)
        if not held:
            await self.relay(announced)
        return announced

    async def relay(self, announced: list[dict[str, Any]]) -> None:
        """Records the registry's announcements, and the alerts apply them."""
        await self._store(announced)
        await self._follow(announced)

    async def _follow(self, events: Iterable[dict[str, Any]]) -> None:
        lines = [case_b.line(e) for e in events]
        await apply_serialized_batch(self.pool, self.alerts, lines)
        self.lines += lines

    async def replay(self, *, from_nothing: bool) -> None:
        """The alerts consumer applies the whole log again from an empty ledger, keeping its
        alerts, or from nothing at all (its tables emptied, as a rebuild of them would)."""
        if from_nothing:
            await self.pool.execute(
                """TRUNCATE alert_deliveries, alerts, alert_watchlists, alert_eligibility,
                            alert_outbox"""
            )
        await self.pool.execute("DELETE FROM processed_events WHERE consumer = 'alerts'")
        await apply_serialized_batch(self.pool, self.alerts, self.lines)

    async def _store(self, events: Iterable[dict[str, Any]]) -> None:
        await append(self.pool, [parse_event(case_b.line(e)) for e in events])


async def alerted(pool: asyncpg.Pool) -> list[tuple[Any, ...]]:
    """Every alert's content (not its place in the table), in the order raised."""
    return [tuple(r) for r in await pool.fetch(ALERTED)]


async def raised_events(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """The `alert.raised` events waiting in the outbox."""
    return [json.loads(r["event"]) for r in await pool.fetch("SELECT event FROM alert_outbox")]
