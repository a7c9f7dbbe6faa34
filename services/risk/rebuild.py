"""Rebuilding every score and the whole history from the event store (the log of record).

For a replay (the scores must come out exactly as live processing made them) and for a new
scoring-model version applied to all history. `vendorwatch rebuild` runs it while the
system runs, holding the risk consumer's lock (services/cli/rebuilding.py): live batches
wait, then skip through the ledger what the rebuild applied.
"""

from __future__ import annotations

from dataclasses import replace

import asyncpg

from services.platform.eventlog.embedded import drain
from services.risk.handlers import CONSUMER_NAME, RiskService, risk_consumer


async def rebuild(pool: asyncpg.Pool, service: RiskService) -> int:
    """Recomputes the risk service's state from every stored event the registry accepted,
    announcing nothing. Returns how many events were read."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "TRUNCATE risk_history, risk_event_subjects, risk_incident_subjects, risk_contracts,"
            " risk_critical_days, risk_vendor_states, risk_current, risk_announced, risk_events,"
            " risk_factor_bodies, risk_vendor_items"
            " RESTART IDENTITY"
        )
        await conn.execute("DELETE FROM processed_events WHERE consumer = $1", CONSUMER_NAME)
        await conn.execute("DELETE FROM consumer_offsets WHERE consumer = $1", CONSUMER_NAME)
    return await drain(pool, risk_consumer(replace(service, announce=False)))
