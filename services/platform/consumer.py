"""Applies batches of validated events to one service's state, exactly once per event.

Both event-log adapters deliver at least once; this is where redelivery stops mattering: each
event is claimed in the processed-event ledger in the same transaction as its state change.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import EventRejected, parse_event
from services.platform import dead_letters, ledger
from services.platform.database import Connection
from services.platform.event_store import canonical_json

log = logging.getLogger(__name__)

# Events applied per transaction: large enough to amortise commits, small enough to keep
# transactions (and redelivery after a crash) short.
BATCH_SIZE = 500

Handler = Callable[[Connection, EventEnvelope], Awaitable[None]]


class DomainRejection(Exception):
    """A valid event the service cannot apply (e.g. a sanction for an unknown vendor)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# Failures that come from the event's own content: retrying could never succeed, so the event
# is dead-lettered and the rest of the batch goes on. Anything else (connection lost, a missing
# table, a bug) rolls the batch back for a retry: a stalled consumer is loud, a skipped event
# is silent.
_EVENT_FAULTS = (
    DomainRejection,
    ValueError,
    ArithmeticError,
    asyncpg.DataError,
    asyncpg.IntegrityConstraintViolationError,
)


def _reason(fault: Exception) -> str:
    if isinstance(fault, DomainRejection):
        return fault.reason
    return f"cannot be applied: {type(fault).__name__}: {fault}"


@dataclass(frozen=True)
class Consumer:
    """A service's subscription to the log: its ledger name and a handler per event type."""

    name: str
    handlers: Mapping[str, Handler]


@dataclass(frozen=True)
class BatchResult:
    applied: int = 0
    skipped_duplicates: int = 0
    rejected: int = 0


async def apply_batch(
    pool: asyncpg.Pool,
    consumer: Consumer,
    events: Sequence[EventEnvelope],
    *,
    unreadable: Sequence[dead_letters.DeadLetter] = (),
    save_position: int | None = None,
) -> BatchResult:
    """Applies `events` in one transaction; an event at fault is dead-lettered, not fatal.

    `unreadable` input (dead letters already written up by the caller) is recorded in the same
    transaction, so a retried batch does not record it again. Any other exception rolls the
    whole batch back and propagates, for the caller to retry: nothing is acknowledged that is
    not committed.
    """
    applied = skipped = 0
    rejected = len(unreadable)
    async with pool.acquire() as conn, conn.transaction():
        for letter in unreadable:
            await dead_letters.record(conn, letter)
        for event in events:
            handler = consumer.handlers.get(event.event_type)
            if handler is None:
                continue
            if not await ledger.claim(conn, consumer.name, event.event_id):
                skipped += 1
                continue
            try:
                # A savepoint, so a rejection undoes the handler's partial writes only.
                async with conn.transaction():
                    await handler(conn, event)
                applied += 1
            except _EVENT_FAULTS as fault:
                rejected += 1
                reason = _reason(fault)
                log.warning("%s rejected %s: %s", consumer.name, event.event_id, reason)
                await dead_letters.record(
                    conn,
                    dead_letters.DeadLetter(
                        stage=consumer.name,
                        reason=reason,
                        raw=canonical_json(event),
                        event_id=event.event_id,
                        event_type=event.event_type,
                    ),
                )
        if save_position is not None:
            await conn.execute(
                """INSERT INTO consumer_positions (consumer, position) VALUES ($1, $2)
                   ON CONFLICT (consumer) DO UPDATE
                   SET position = EXCLUDED.position, updated_at = now()""",
                consumer.name,
                save_position,
            )
    return BatchResult(applied, skipped, rejected)


async def apply_serialized_batch(
    pool: asyncpg.Pool, consumer: Consumer, raws: Sequence[bytes]
) -> BatchResult:
    """Like `apply_batch`, for events still in their JSON form (as Kafka delivers them).

    Ingest validated them already; one that fails here anyway (a producer writing to the
    topic directly, say) is dead-lettered rather than allowed to stall the partition.
    """
    envelopes: list[EventEnvelope] = []
    unreadable: list[dead_letters.DeadLetter] = []
    for raw in raws:
        try:
            envelopes.append(parse_event(raw))
        except EventRejected as rejection:
            unreadable.append(
                dead_letters.DeadLetter(
                    stage=consumer.name, reason=rejection.reason, raw=dead_letters.as_text(raw)
                )
            )
    return await apply_batch(pool, consumer, envelopes, unreadable=unreadable)
