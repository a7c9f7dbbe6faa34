"""Raw bytes in, an accepted event (or a dead letter with its reason) out."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import EventRejected, parse_event
from services.platform import dead_letters, event_store
from services.platform.database import Connection
from services.platform.event_store import AppendOutcome

log = logging.getLogger(__name__)

STAGE = "ingest"


@dataclass(frozen=True)
class Accepted:
    envelope: EventEnvelope
    new: bool


@dataclass(frozen=True)
class Rejected:
    reason: str


IngestOutcome = Accepted | Rejected


async def ingest(conn: Connection, raw: bytes) -> IngestOutcome:
    """Accepts one raw event; call inside a transaction. Never raises for bad input."""
    try:
        envelope = parse_event(raw)
    except EventRejected as rejection:
        await _dead_letter(conn, raw, rejection.reason, None)
        return Rejected(rejection.reason)
    try:
        # A savepoint: a value the model allows but PostgreSQL refuses must not abort the
        # rest of the batch.
        async with conn.transaction():
            outcome = await event_store.append(conn, envelope)
    except (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError) as error:
        reason = f"cannot be stored: {type(error).__name__}: {error}"
        await _dead_letter(conn, raw, reason, envelope)
        return Rejected(reason)
    if outcome is AppendOutcome.CONFLICT:
        reason = (
            f"event_id: {envelope.event_id} was already accepted with different content;"
            " an event id identifies one event only"
        )
        await _dead_letter(conn, raw, reason, envelope)
        return Rejected(reason)
    return Accepted(envelope, new=outcome is AppendOutcome.STORED)


async def ingest_batch(pool: asyncpg.Pool, raws: list[bytes]) -> list[IngestOutcome]:
    """Ingests many raw events in one transaction (one commit per batch, not per event)."""
    async with pool.acquire() as conn, conn.transaction():
        return [await ingest(conn, raw) for raw in raws]


async def _dead_letter(
    conn: Connection, raw: bytes, reason: str, envelope: EventEnvelope | None
) -> None:
    log.warning("rejected input: %s", reason)
    await dead_letters.record(
        conn,
        dead_letters.DeadLetter(
            stage=STAGE,
            reason=reason,
            raw=dead_letters.as_text(raw),
            event_id=envelope.event_id if envelope else None,
            event_type=envelope.event_type if envelope else None,
        ),
    )
