"""The registry's periodic work, in both modes: announce what the calendar changed (the
announcements then leave through the outbox, relayed by the runtime)."""

from __future__ import annotations

import asyncpg

from services.platform.clock import Clock
from services.registry.announcements import reconcile_due

RECONCILE_BATCH = 1000


async def calendar(pool: asyncpg.Pool, clock: Clock) -> None:
    """Announces what the passing of the date changed, batch by batch."""
    after = ""
    while True:
        async with pool.acquire() as conn, conn.transaction():
            due = await reconcile_due(conn, clock.today(), clock.now(), RECONCILE_BATCH, after)
        if len(due) < RECONCILE_BATCH:
            return
        after = due[-1]
