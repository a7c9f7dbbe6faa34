"""The outbox pattern, for any service that emits events.

A service writes the events it decides to emit into its own outbox table, in the transaction
that decided them; `relay` moves them into the event log afterwards. Emitted at least once,
never lost: a crash between submitting and deleting submits them again with the same event
ids, which ingest de-duplicates.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.events.base import EventEnvelope
from services.platform import metrics
from services.platform.database import Connection
from services.platform.event_store import canonical_json
from services.platform.eventlog.base import EventLog, Writer

RELAY_BATCH = 200
# How often outboxes are relayed: emitted events reach the log (and subscribers) within this.
RELAY_SECONDS = 0.2


@dataclass(frozen=True)
class Outbox:
    """One service's outbox table (`CREATE TABLE … (id bigserial, event text, created_at)`)."""

    table: str

    @property
    def _lock_key(self) -> int:
        # One relayer per outbox at a time (workers may be replicated), so events keep order.
        return zlib.crc32(self.table.encode())

    async def put(self, conn: Connection, events: Sequence[EventEnvelope]) -> None:
        await conn.executemany(
            f"INSERT INTO {self.table} (event) VALUES ($1)",
            [(canonical_json(event),) for event in events],
        )

    async def relay(self, pool: asyncpg.Pool, log: EventLog) -> int:
        """Submits pending events and removes them once the log has them; returns how many."""
        async with pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", self._lock_key):
                return 0
            rows = await conn.fetch(
                f"SELECT id, event FROM {self.table} ORDER BY id LIMIT $1", RELAY_BATCH
            )
            if not rows:
                return 0
            await log.submit([row["event"].encode() for row in rows], Writer.SERVICE)
            await conn.execute(
                f"DELETE FROM {self.table} WHERE id = ANY($1::bigint[])", [r["id"] for r in rows]
            )
        metrics.OUTBOX_RELAYED.labels(self.table).inc(len(rows))
        return len(rows)

    async def relay_all(self, pool: asyncpg.Pool, log: EventLog) -> None:
        while await self.relay(pool, log) == RELAY_BATCH:
            pass
