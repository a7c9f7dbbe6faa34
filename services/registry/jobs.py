"""The registry's periodic work, in both modes: announce what the calendar changed, and
relay announced events from the outbox into the event log."""

from __future__ import annotations

import asyncpg

from services.platform.clock import Clock
from services.platform.eventlog.base import EventLog
from services.registry.announcements import OUTBOX, reconcile_due

# How often the jobs run: relayed events reach subscribers within about this long.
TICK_SECONDS = 1.0
RECONCILE_BATCH = 1000


async def tick(pool: asyncpg.Pool, clock: Clock, log: EventLog) -> None:
    while True:
        async with pool.acquire() as conn, conn.transaction():
            evaluated = await reconcile_due(conn, clock.today(), clock.now(), RECONCILE_BATCH)
        if evaluated < RECONCILE_BATCH:
            break
    await OUTBOX.relay_all(pool, log)
