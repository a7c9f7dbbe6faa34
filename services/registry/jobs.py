"""The registry's periodic work, in both modes: announce what the calendar changed (the
announcements then leave through the outbox, relayed by the runtime)."""

from __future__ import annotations

import asyncpg

from services.platform.clock import Clock
from services.registry.announcements import reconcile_due

RECONCILE_BATCH = 1000


async def calendar(pool: asyncpg.Pool, clock: Clock) -> None:
    """Announces what the passing of the date changed, batch by batch."""
    while True:
        async with pool.acquire() as conn, conn.transaction():
            evaluated = await reconcile_due(conn, clock.today(), clock.now(), RECONCILE_BATCH)
        if evaluated < RECONCILE_BATCH:
            return
