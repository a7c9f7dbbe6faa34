"""The risk service's periodic work, in both modes: re-score vendors once a day (incidents
decay, sanctions end), and the vendors whose concentration another vendor's contract moved;
risk.changed leaves through the outbox, relayed by the runtime."""

from __future__ import annotations

import asyncpg

from services.platform.postgres.database import Connection
from services.risk.handlers import RiskService
from services.risk.storage import moved_agencies, repository

REFRESH_BATCH = 100  # short transactions: events for these vendors wait meanwhile
# One process at a time re-scores the day (workers may be replicated).
REFRESH_LOCK_KEY = 0x5657_5253  # "VWRS"


async def refresh_due(pool: asyncpg.Pool, service: RiskService, after: str) -> list[str]:
    """Re-scores one batch of vendors not yet scored today, those after `after` in id order;
    returns them, in that order."""
    async with pool.acquire() as conn, conn.transaction():
        if not await _may_refresh(conn):
            return []
        due = await repository.vendors_due(conn, service.clock.today(), REFRESH_BATCH, after)
        await service.refresh(conn, due)
        return due


async def rescore_moved(pool: asyncpg.Pool, service: RiskService) -> int:
    """Re-scores, a batch at a time, the vendors holding a running critical contract at an
    agency whose number of them today moved since they were scored; returns how many.

    Concentration is a vendor's share of that number, so an award to one vendor moves the
    score of every other vendor holding such contracts there. Their stored current scores,
    which riskiestVendors ranks, would otherwise wait for the daily refresh, while riskScore,
    computed when asked, already tells the new one. The consumer only marks the agency (one
    row per batch, whatever the fan-out): the re-scoring is this job's, bounded per
    transaction and off the events' path."""
    rescored = 0
    for agency, moved in await moved_agencies.marked(pool):
        after = ""
        while True:
            async with pool.acquire() as conn, conn.transaction():
                if not await _may_refresh(conn):
                    return rescored  # a rebuild holds the lock: the mark stays
                today = service.clock.today()
                due = await moved_agencies.critical_holders(
                    conn, agency, today, after, REFRESH_BATCH
                )
                if due:
                    await service.refresh(conn, due)
            rescored += len(due)
            if len(due) < REFRESH_BATCH:
                break
            after = due[-1]
        await moved_agencies.forget(pool, agency, moved)
    return rescored


async def calendar(pool: asyncpg.Pool, service: RiskService) -> None:
    """Re-scores, once a day, every vendor (decay, sanctions ending), batch by batch; then
    the vendors whose concentration moved."""
    after = ""
    # On from the last batch's last vendor, by the key: from the start each time, every
    # batch read past the vendors done before it (a day's pass grew with their square).
    while len(due := await refresh_due(pool, service, after)) == REFRESH_BATCH:
        after = due[-1]
    await rescore_moved(pool, service)


async def _may_refresh(conn: Connection) -> bool:
    """Takes, for the transaction, the lock one refresh at a time holds (a rebuild too)."""
    return bool(await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", REFRESH_LOCK_KEY))
