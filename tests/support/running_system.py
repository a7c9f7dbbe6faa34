"""What `vendorwatch up` runs beside the API, run in the test's own process on a real
PostgreSQL: the consumers, relays, planner and calendar (`running_system`), events submitted
as ingest takes them (`submit`), and a wait until every consumer has read the whole log, every
outbox is relayed and every plan is scheduled (`settled`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from services.cli import embedded
from services.cli.consumers import service_consumers
from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import EmbeddedEventLog, run_consumers
from services.platform.operations.liveness import Liveness
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from services.risk import setup as risk_setup
from tests.support import case_b


@contextlib.asynccontextmanager
async def running_system(pool: asyncpg.Pool, settings: Settings) -> AsyncIterator[None]:
    """What `vendorwatch up` runs beside the API: consumers, relays, planner, calendar."""
    risk = risk_setup.service(settings)
    consumers = service_consumers(settings, registry_setup.policies(settings), risk)
    log = EmbeddedEventLog(pool, ingest_batch)
    tasks = [
        asyncio.create_task(run_consumers(pool, consumers)),
        asyncio.create_task(embedded.run_relays(pool, log, Liveness("relays", "job"))),
        asyncio.create_task(embedded.run_planner(pool, settings, Liveness("planner", "job"))),
        asyncio.create_task(
            embedded.run_calendar(pool, settings, risk, Liveness("calendar", "job"))
        ),
    ]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def submit(pool: asyncpg.Pool, *events: dict[str, Any]) -> None:
    await EmbeddedEventLog(pool, ingest_batch).submit([case_b.line(e) for e in events])


async def _progress(pool: asyncpg.Pool) -> tuple[Any, ...]:
    row = await pool.fetchrow(
        """SELECT (SELECT sum(seq) FROM event_chain_heads),
                      (SELECT array_agg(o ORDER BY o) FROM (
                          SELECT consumer || ':' || sum(seq) AS o FROM consumer_offsets
                          GROUP BY consumer) c),
                      (SELECT count(*) FROM registry_outbox) + (SELECT count(*) FROM risk_outbox)
                          + (SELECT count(*) FROM migration_outbox)
                          + (SELECT count(*) FROM alert_outbox),
                      (SELECT count(*) FROM migration_plans
                       WHERE planned_revision < revision AND withdrawn_at IS NULL)"""
    )
    assert row is not None
    return tuple(row)


async def settled(pool: asyncpg.Pool) -> None:
    """Waits until every consumer has read the whole log, every outbox is relayed and every
    plan is scheduled (but those withdrawn, which the planner passes by), twice in a row
    across a poll."""
    previous, deadline = None, asyncio.get_running_loop().time() + 120
    while asyncio.get_running_loop().time() < deadline:
        now = await _progress(pool)
        heads = now[0] or 0
        caught_up = (
            now[1] is not None
            and all(o.endswith(f":{heads}") for o in now[1])
            # registry, risk, migration, alerts
            and len(now[1]) == 4
        )
        if caught_up and now[2] == 0 and now[3] == 0 and now == previous:
            return
        previous = now
        await asyncio.sleep(1.5)
    raise AssertionError(f"the system did not settle: {previous}")
