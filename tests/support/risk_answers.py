"""What the risk service answered for a workload, as one SHA-256 per table: every history row,
current and announced score, announced `risk.changed` event and evidence body. A change that
should only make risk cheaper must leave every digest as it was; a run of the benchmarks'
workload with the code of before records them (`DIGESTS`).

Everything a service answers is compared, nothing it only keeps for itself (its states and
counters may be stored otherwise); what a run cannot repeat is left out: an announcement's
event id (random) and a current score's `updated_at` (PostgreSQL's clock).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import asyncpg

from services.platform.database import open_pool
from services.risk.handlers import RiskService
from services.risk.model import load_model
from tests.support.registry import TOKYO, FixedClock
from tests.support.throughput import BATCH
from tests.support.workload import Workload

# The day the runs are scored for ("today"): after every day of the workload's history.
TODAY = dt.datetime(2026, 12, 2, 9, tzinfo=TOKYO)

# Each table as rows of text, in an order that does not depend on the run.
_TABLES = {
    "history": """SELECT h.vendor_id, e.event_id::text, h.as_of::text, h.score::text, h.band,
                         h.model_version, h.factors::text, h.agency_totals::text
                  FROM risk_history h JOIN risk_events e USING (seq)
                  ORDER BY h.seq, h.vendor_id""",
    "current": """SELECT vendor_id, score::text, band, model_version, factors::text, as_of::text
                  FROM risk_current ORDER BY vendor_id""",
    "announced": """SELECT vendor_id, score::text, band, model_version, factors::text
                    FROM risk_announced ORDER BY vendor_id""",
    "announcements": "SELECT ((event::jsonb) - 'event_id')::text FROM risk_outbox ORDER BY id",
    "evidence": "SELECT digest, evidence::text FROM risk_factor_bodies ORDER BY digest",
}

# The digests (their first 16 hex digits) the code of commit 35298b8 gives, per workload size.
DIGESTS = {
    3_000: {
        "history": "5e43e0a6937fce19",
        "current": "24d591a0d99b57db",
        "announced": "5bf264919e1b5100",
        "announcements": "5092d0f842756803",
        "evidence": "01cee1db577aabc7",
    },
    20_000: {
        "history": "b5c351c41bc6148b",
        "current": "6d9e99e588166c7a",
        "announced": "0a03e921d3a75e6d",
        "announcements": "83c55d3ac9fbeb0f",
        "evidence": "dfbd43b80a357ba4",
    },
}


async def apply_workload(pool: asyncpg.Pool, workload: Workload) -> None:
    """Every event of the workload through the risk batch handler, in log order, `BATCH` per
    transaction, scored for `TODAY` (the registry's verdicts not asked: every event counts)."""
    service = RiskService(FixedClock(TOKYO, TODAY), load_model())
    events = workload.events
    for start in range(0, len(events), BATCH):
        async with pool.acquire() as conn, conn.transaction():
            await service.apply_batch(conn, events[start : start + BATCH])


async def digests(database_url: str) -> dict[str, str]:
    """Per table of `_TABLES`, the digest of its rows (their first 16 hex digits)."""
    pool = await open_pool(database_url, migrate=False)
    try:
        found = {}
        for table, query in _TABLES.items():
            rows = await pool.fetch(query)
            digest = hashlib.sha256()
            for row in rows:
                digest.update("\x1f".join(str(value) for value in row).encode() + b"\n")
            found[table] = digest.hexdigest()[:16]
        return found
    finally:
        await pool.close()
