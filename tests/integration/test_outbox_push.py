"""Outboxes are pushed, not polled: the relay is woken by the commit that put the events."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.cli import embedded
from services.ingest.handlers import ingest_batch
from services.platform.consuming.outbox import OUTBOX_CHANNEL
from services.platform.eventlog.embedded import EmbeddedEventLog
from services.platform.operations.liveness import Liveness
from tests.support import case_b
from tests.support.processes import eventually
from tests.support.registry import TOKYO, FixedClock, consumer
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

# Far longer than the test waits for anything: whatever is relayed was relayed on a notice.
FALLBACK_SECONDS = 600.0
ANNOUNCED = "SELECT count(*) FROM event_store WHERE event_type = 'vendor.eligibility_changed'"


async def _listening(pool: asyncpg.Pool) -> bool:
    listeners: int = await pool.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND query ILIKE $1",
        f"%LISTEN%{OUTBOX_CHANNEL}%",
    )
    return listeners > 0


@contextlib.asynccontextmanager
async def relaying(pool: asyncpg.Pool) -> AsyncIterator[None]:
    """`vendorwatch up`'s relay loop with its fallback poll out of the way, once listening."""
    log = EmbeddedEventLog(pool, ingest_batch)
    live = Liveness("relays", "job")
    caught_up = asyncio.Event()  # its first pass (what was put before it listened) is over
    task = asyncio.create_task(embedded.run_relays(pool, log, live, FALLBACK_SECONDS, caught_up))
    try:
        await eventually(lambda: _listening(pool), "the relay to listen")
        await asyncio.wait_for(caught_up.wait(), timeout=60)
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_an_announcement_is_relayed_when_it_commits(pool: asyncpg.Pool) -> None:
    registry = consumer(FixedClock(TOKYO, dt.datetime(2023, 3, 1, 0, 5, tzinfo=TOKYO)))
    await apply(pool, case_b.registered(), consumer=registry)  # nothing to announce yet
    async with relaying(pool):
        started = time.monotonic()
        await apply(pool, case_b.suspended(), consumer=registry)  # commits an announcement

        async def relayed() -> bool:
            # The log has it (its own commit), then the outbox lets go of it (the relay's).
            row = await pool.fetchrow(
                f"SELECT ({ANNOUNCED}), (SELECT count(*) FROM registry_outbox)"
            )
            return row is not None and bool(row[0] == 1 and row[1] == 0)

        await eventually(relayed, "the announcement relayed to the log", seconds=10)
        assert time.monotonic() - started < FALLBACK_SECONDS / 10


async def test_rows_put_without_a_notice_wait_for_the_poll(pool: asyncpg.Pool) -> None:
    """The counter-proof: with the same loop, a row inserted behind the outbox's back (no
    notice) is not relayed, so the announcement above reached the log because of its notice."""
    registry = consumer(FixedClock(TOKYO, dt.datetime(2023, 3, 1, 0, 5, tzinfo=TOKYO)))
    await apply(pool, case_b.registered(), consumer=registry)
    await apply(pool, case_b.suspended(), consumer=registry)
    (announcement,) = await pool.fetch("DELETE FROM registry_outbox RETURNING event")
    async with relaying(pool):
        await pool.execute("INSERT INTO registry_outbox (event) VALUES ($1)", announcement["event"])
        await asyncio.sleep(2)
        assert await pool.fetchval(ANNOUNCED) == 0
        assert await pool.fetchval("SELECT count(*) FROM registry_outbox") == 1
