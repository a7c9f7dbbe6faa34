"""The registry's periodic work, in both modes: announce what the calendar changed, and
relay announced events from the outbox into the event log."""

from __future__ import annotations

import asyncpg

from services.platform.clock import Clock
from services.platform.eventlog.base import EventLog
from services.registry.announcements import reconcile_due

# How often the jobs run: relayed events reach subscribers within about this long.
TICK_SECONDS = 1.0
RELAY_BATCH = 200
RECONCILE_BATCH = 1000
_RELAY_LOCK_KEY = 0x5657_524C  # "VWRL"


async def relay_outbox(pool: asyncpg.Pool, log: EventLog) -> int:
    """Submits pending announcements and removes them once the log has them. A crash in
    between submits them again with the same event ids, which ingest de-duplicates."""
    async with pool.acquire() as conn, conn.transaction():
        # One relayer at a time (workers may be replicated), so announcements keep their order.
        if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _RELAY_LOCK_KEY):
            return 0
        rows = await conn.fetch(
            "SELECT id, event FROM registry_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
            RELAY_BATCH,
        )
        if not rows:
            return 0
        await log.submit([row["event"].encode() for row in rows])
        await conn.execute(
            "DELETE FROM registry_outbox WHERE id = ANY($1::bigint[])", [r["id"] for r in rows]
        )
    return len(rows)


async def tick(pool: asyncpg.Pool, clock: Clock, log: EventLog) -> None:
    while True:
        async with pool.acquire() as conn, conn.transaction():
            evaluated = await reconcile_due(conn, clock.today(), clock.now(), RECONCILE_BATCH)
        if evaluated < RECONCILE_BATCH:
            break
    while await relay_outbox(pool, log) == RELAY_BATCH:
        pass
