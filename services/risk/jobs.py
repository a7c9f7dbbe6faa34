"""The risk service's periodic work, in both modes: re-score vendors once a day (incidents
decay, sanctions end); risk.changed leaves through the outbox, relayed by the runtime."""

from __future__ import annotations

import asyncpg

from services.risk.handlers import RiskService
from services.risk.storage import repository

REFRESH_BATCH = 100  # short transactions: events for these vendors wait meanwhile
# One process at a time re-scores the day (workers may be replicated).
REFRESH_LOCK_KEY = 0x5657_5253  # "VWRS"


async def refresh_due(pool: asyncpg.Pool, service: RiskService) -> int:
    """Re-scores one batch of vendors not yet scored today; returns how many."""
    async with pool.acquire() as conn, conn.transaction():
        if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", REFRESH_LOCK_KEY):
            return 0
        due = await repository.vendors_due(conn, service.clock.today(), REFRESH_BATCH)
        await service.refresh(conn, due)
        return len(due)


async def calendar(pool: asyncpg.Pool, service: RiskService) -> None:
    """Re-scores, once a day, every vendor (decay, sanctions ending), batch by batch."""
    while await refresh_due(pool, service) == REFRESH_BATCH:
        pass
