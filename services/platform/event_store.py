"""The append-only event store in PostgreSQL: the record of every accepted event."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import uuid
from dataclasses import dataclass

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.database import Connection

NOTIFY_CHANNEL = "vendorwatch_events"

# Appends take this transaction-level lock so that `position` values commit in increasing
# order: a consumer tailing "position > last seen" then never skips a slower concurrent append.
_APPEND_LOCK_KEY = 0x56574150  # "VWAP"


class AppendOutcome(enum.Enum):
    STORED = "stored"
    DUPLICATE = "duplicate"  # the same event_id with the same content: already applied
    CONFLICT = "conflict"  # the same event_id with other content: refused


@dataclass(frozen=True)
class StoredEvent:
    position: int
    envelope: EventEnvelope


def canonical_json(envelope: EventEnvelope) -> str:
    # Events from other producers carry no recorded_by: leaving the key out keeps their JSON
    # (and content hash) exactly as before it existed.
    if envelope.recorded_by is None:
        return envelope.model_dump_json(exclude={"recorded_by"})
    return envelope.model_dump_json()


def content_hash(envelope: EventEnvelope) -> str:
    return hashlib.sha256(canonical_json(envelope).encode()).hexdigest()


async def append(conn: Connection, envelope: EventEnvelope) -> AppendOutcome:
    """Stores the event unless its id is known; call inside a transaction."""
    digest = content_hash(envelope)
    await conn.execute("SELECT pg_advisory_xact_lock($1)", _APPEND_LOCK_KEY)
    existing = await conn.fetchval(
        "SELECT content_hash FROM event_store WHERE event_id = $1", envelope.event_id
    )
    if existing is not None:
        return AppendOutcome.DUPLICATE if existing == digest else AppendOutcome.CONFLICT
    await conn.execute(
        """INSERT INTO event_store
               (event_id, event_type, vendor_id, occurred_at, envelope, content_hash)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6)""",
        envelope.event_id,
        envelope.event_type,
        envelope.vendor_id,
        envelope.occurred_at,
        canonical_json(envelope),
        digest,
    )
    # Delivered at commit; embedded consumers wake up instead of waiting for their next poll.
    await conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
    return AppendOutcome.STORED


async def read_after(conn: Connection, position: int, limit: int) -> list[StoredEvent]:
    """The next events after `position`, in log order."""
    rows = await conn.fetch(
        "SELECT position, envelope::text AS envelope FROM event_store"
        " WHERE position > $1 ORDER BY position LIMIT $2",
        position,
        limit,
    )
    return [StoredEvent(row["position"], parse_event(row["envelope"])) for row in rows]


@dataclass(frozen=True)
class RecordedEvent:
    position: int
    envelope: EventEnvelope
    recorded_at: dt.datetime


async def vendor_timeline(
    conn: Connection, vendor_id: str, after_position: int, limit: int
) -> tuple[list[RecordedEvent], int]:
    """A vendor's events in log order after a position, and how many it has in all."""
    rows = await conn.fetch(
        "SELECT position, envelope::text AS envelope, recorded_at FROM event_store"
        " WHERE vendor_id = $1 AND position > $2 ORDER BY position LIMIT $3",
        vendor_id,
        after_position,
        limit,
    )
    total: int = await conn.fetchval(
        "SELECT count(*) FROM event_store WHERE vendor_id = $1", vendor_id
    )
    events = [
        RecordedEvent(r["position"], parse_event(r["envelope"]), r["recorded_at"]) for r in rows
    ]
    return events, total


@dataclass(frozen=True)
class EventStatus:
    recorded_at: dt.datetime | None  # None: not (yet) in the store
    event_type: str | None
    applied_by: list[str]  # the consumers that have applied it


async def status(conn: Connection, event_id: uuid.UUID) -> EventStatus:
    row = await conn.fetchrow(
        "SELECT recorded_at, event_type FROM event_store WHERE event_id = $1", event_id
    )
    consumers = await conn.fetch(
        "SELECT consumer FROM processed_events WHERE event_id = $1 ORDER BY consumer", event_id
    )
    return EventStatus(
        row["recorded_at"] if row else None,
        row["event_type"] if row else None,
        [r["consumer"] for r in consumers],
    )


async def recorded_through_the_api(
    conn: Connection, subject: str | None, before_position: int | None, limit: int
) -> tuple[list[RecordedEvent], int]:
    """Events people recorded through the API (by `subject` when given), newest first, before
    a position; and how many there are in all."""
    where = (
        "envelope ? 'recorded_by'"
        " AND ($1::text IS NULL OR envelope->'recorded_by'->>'subject' = $1)"
    )
    rows = await conn.fetch(
        f"""SELECT position, envelope::text AS envelope, recorded_at FROM event_store
            WHERE {where} AND ($2::bigint IS NULL OR position < $2)
            ORDER BY position DESC LIMIT $3""",
        subject,
        before_position,
        limit,
    )
    total: int = await conn.fetchval(f"SELECT count(*) FROM event_store WHERE {where}", subject)
    events = [
        RecordedEvent(r["position"], parse_event(r["envelope"]), r["recorded_at"]) for r in rows
    ]
    return events, total
