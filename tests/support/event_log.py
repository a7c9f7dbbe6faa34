"""The event store filled directly, as ingest would have filled it: the log a test's consumers
read, and where a service handed events without the log (risk's handler in a benchmark)
finds their envelopes."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from services.events.base import EventEnvelope
from services.platform.eventstore import event_store


async def append(pool: asyncpg.Pool, events: Sequence[EventEnvelope]) -> None:
    """Stores these events, in this order, in one transaction."""
    async with pool.acquire() as conn, conn.transaction():
        await event_store.append_batch(conn, events)
