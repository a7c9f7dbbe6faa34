"""The outbox pattern, for any service that emits events.

A service writes the events it decides to emit into its own outbox table, in the transaction
that decided them; `relay` moves them into the event log afterwards. Emitted at least once,
never lost: a crash between submitting and deleting submits them again with the same event
ids, which ingest de-duplicates.

Pushed, not polled: `put` notifies OUTBOX_CHANNEL (with the table's name) in the same
transaction, so PostgreSQL tells the relayers when the rows commit and `relay_when_put` relays
them at once; it also relays every RELAY_SECONDS, for a notice that never came (the relayer
was not listening yet), and everything once it listens again after an outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import zlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.consuming.notices import kept_listening
from services.platform.eventlog.base import EventLog, Writer
from services.platform.eventstore.event_store import canonical_json
from services.platform.off_the_loop import for_batch
from services.platform.operations import metrics
from services.platform.postgres.database import Connection

RELAY_BATCH = 200
# Notified at the commit of every transaction that put events in an outbox; the payload is
# the outbox's table.
OUTBOX_CHANNEL = "vendorwatch_outboxes"
# The fallback poll: outboxes are relayed as soon as their rows commit, and at least this often.
RELAY_SECONDS = 1.0


@dataclass(frozen=True)
class Outbox:
    """One service's outbox table (`CREATE TABLE … (id bigserial, event text, created_at)`),
    and the writer its relay submits as: the worker that runs the service."""

    table: str
    writer: Writer

    @property
    def lock_key(self) -> int:
        # One relayer per outbox at a time (workers may be replicated), so events keep order.
        return zlib.crc32(self.table.encode())

    async def put(
        self,
        conn: Connection,
        events: Sequence[EventEnvelope],
        texts: Sequence[str] | None = None,
    ) -> None:
        """Call in the transaction that decided the events; relayers hear of them at its
        commit (nothing is notified if it rolls back). `texts`: the events' `canonical_json`,
        when the caller made it already."""
        if not events:
            return
        # One statement for the batch and its notice (a statement per event made a batch of
        # a thousand alerts a thousand executions); the ids follow the events' order.
        await conn.execute(
            f"""WITH put AS (
                    INSERT INTO {self.table} (event)
                    SELECT event FROM unnest($1::text[]) WITH ORDINALITY AS e(event, n)
                    ORDER BY n
                )
                SELECT pg_notify($2, $3)""",
            list(texts) if texts is not None else [canonical_json(event) for event in events],
            OUTBOX_CHANNEL,
            self.table,
        )

    async def relay(self, pool: asyncpg.Pool, log: EventLog, *, wait: bool = False) -> int:
        """Submits pending events and removes them once the log has them; returns how many.
        Another relayer at work: returns 0 at once, or with `wait`, relays after it (so the
        caller knows that what was put before the call is in the log when this returns)."""
        async with pool.acquire() as conn, conn.transaction():
            if wait:
                await conn.execute("SELECT pg_advisory_xact_lock($1)", self.lock_key)
            elif not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", self.lock_key):
                return 0
            rows = await conn.fetch(
                f"SELECT id, event FROM {self.table} ORDER BY id LIMIT $1", RELAY_BATCH
            )
            if not rows:
                return 0
            await log.submit([row["event"].encode() for row in rows], self.writer)
            await conn.execute(
                f"DELETE FROM {self.table} WHERE id = ANY($1::bigint[])", [r["id"] for r in rows]
            )
        metrics.OUTBOX_RELAYED.labels(self.table).inc(len(rows))
        return len(rows)

    async def committed(self, pool: asyncpg.Pool) -> list[EventEnvelope]:
        """The next events a relay would submit (at most RELAY_BATCH, in the order put): put
        by committed transactions, maybe being relayed already. Read without the relayers'
        lock, for a caller that must not wait for a relayer's submission to see them."""
        rows = await pool.fetch(f"SELECT event FROM {self.table} ORDER BY id LIMIT $1", RELAY_BATCH)
        return await for_batch(_parse_all, [row["event"] for row in rows])

    async def relay_all(self, pool: asyncpg.Pool, log: EventLog, *, wait: bool = False) -> None:
        while await self.relay(pool, log, wait=wait) == RELAY_BATCH:
            pass


def _parse_all(texts: Sequence[str]) -> list[EventEnvelope]:
    return [parse_event(text) for text in texts]


async def relay_when_put(
    pool: asyncpg.Pool,
    outboxes: Sequence[Outbox],
    relay: Callable[[Outbox], Awaitable[None]],
    fallback_seconds: float = RELAY_SECONDS,
    caught_up: asyncio.Event | None = None,
) -> None:
    """Runs `relay` on each outbox as soon as events put in it commit (their notice), and on
    all of them every `fallback_seconds`; until cancelled. The LISTEN is kept across an
    outage (notices.kept_listening), and every outbox relayed once it is back: notices sent
    meanwhile reached no one. `caught_up` is set once what was put before it listened has
    been relayed."""
    put: set[str] = set()  # the outboxes notified since the last look
    arrived = asyncio.Event()

    def notified(_conn: object, _pid: int, _channel: str, payload: object) -> None:
        put.add(str(payload))
        arrived.set()

    def heard_again() -> None:
        put.update(outbox.table for outbox in outboxes)
        arrived.set()

    async with kept_listening(pool, OUTBOX_CHANNEL, notified, heard_again):
        due = list(outboxes)  # at start: whatever was put before we listened
        while True:
            if len(due) == len(outboxes):
                polled = time.monotonic()
            for outbox in due:
                await relay(outbox)
            if caught_up is not None:
                caught_up.set()
            if not arrived.is_set():
                with contextlib.suppress(TimeoutError):
                    wait = max(0.0, polled + fallback_seconds - time.monotonic())
                    await asyncio.wait_for(arrived.wait(), timeout=wait)
            arrived.clear()
            if time.monotonic() >= polled + fallback_seconds:  # the fallback poll
                due = list(outboxes)
            else:  # other services' outboxes notify on the same channel: relay only ours
                due = [outbox for outbox in outboxes if outbox.table in put]
            put.clear()
