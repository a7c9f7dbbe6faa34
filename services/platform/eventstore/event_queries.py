"""What people ask of the event store: a vendor's timeline, the audit trail, and what became
of one event (in the log, applied or refused by which service).

Each reads the rows an append wrote, and only those (`_APPENDED`): a row in one of the
chains' partitions, at or below its partition's head. The table's owner can insert others
(one past a head: `INSERT` is how appends write; one outside partitions 0 to 5 once the
constraint of platform migration 0016 is dropped), which no chain covers and no consumer
applies (the consumers' reads stop at a row past its head, `event_reads.UnappendedStoredRow`,
and read partitions 0 to 5 only); shown, such a row answered `eventStatus` accepted, stood in
a vendor's `events` and in the `auditTrail` as recorded by whoever its `recorded_by` named.
`verify` names them; these readers leave them out, as not part of the log. The head is one
keyed row of six, read in the same statement, so in the same snapshot as the rows: an append
writes its rows and moves the head in one transaction. A count subtracts the rows that are
not the log's (`_UNAPPENDED`, read by the (partition, seq) key: none, in a log no one edited)
from the plain count, as checking each row would cost eight times the count (5,000 of a
vendor's events: 1.2 ms counted, 9.5 ms each checked, 1.2 ms so).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from services.events.base import EventEnvelope
from services.events.catalog import parse_stored
from services.platform.eventstore.chain import PARTITIONS
from services.platform.postgres.database import Connection

# A row of the log, for a statement reading `event_store e`.
_APPENDED = (
    f"e.partition >= 0 AND e.partition < {PARTITIONS} AND e.seq <="
    " (SELECT h.seq FROM event_chain_heads h WHERE h.partition = e.partition)"
)
# The rows that are not (outside the partitions, past a head), each part by the key's ranges
# (the fence, OFFSET 0, keeps a caller's filter out of the range read past each head, which
# the planner otherwise read as a scan of every row it filtered).
_UNAPPENDED = f"""((SELECT vendor_id, envelope FROM event_store
                    WHERE partition < 0 ORDER BY partition, seq)
                   UNION ALL
                   (SELECT vendor_id, envelope FROM event_store
                    WHERE partition >= {PARTITIONS} ORDER BY partition, seq)
                   UNION ALL
                   (SELECT past.vendor_id, past.envelope FROM event_chain_heads h,
                    LATERAL (SELECT vendor_id, envelope FROM event_store e
                             WHERE e.partition = h.partition AND e.seq > h.seq
                             OFFSET 0) AS past
                    WHERE h.partition >= 0 AND h.partition < {PARTITIONS}))"""


def _count_of_the_log(where: str) -> str:
    """A statement counting the log's rows that `where` (of unqualified columns) keeps."""
    return (
        f"SELECT (SELECT count(*) FROM event_store WHERE {where})"
        f" - (SELECT count(*) FROM {_UNAPPENDED} AS u WHERE {where})"
    )


@dataclass(frozen=True)
class RecordedEvent:
    position: int
    envelope: EventEnvelope
    recorded_at: dt.datetime


async def vendor_timeline(
    conn: Connection, vendor_id: str, after_position: int, limit: int, *, counted: bool
) -> tuple[list[RecordedEvent], int]:
    """A vendor's events in log order after a position, and how many it has in all (0 unless
    `counted`: the count reads every event of the vendor, 5,001 rows for a page of 7 at
    5,000 events, where the page reads the page by the vendor's index)."""
    rows = await conn.fetch(
        "SELECT position, envelope::text AS envelope, recorded_at FROM event_store e"
        f" WHERE vendor_id = $1 AND position > $2 AND {_APPENDED} ORDER BY position LIMIT $3",
        vendor_id,
        after_position,
        limit,
    )
    total = 0
    if counted:
        total = await conn.fetchval(_count_of_the_log("vendor_id = $1"), vendor_id)
    events = [
        RecordedEvent(r["position"], parse_stored(r["envelope"]), r["recorded_at"]) for r in rows
    ]
    return events, total


async def events_named(
    conn: Connection, event_ids: Sequence[uuid.UUID], event_types: Collection[str] | None = None
) -> dict[uuid.UUID, RecordedEvent]:
    """These events as the log holds them (only those of `event_types`, when given)."""
    rows = await conn.fetch(
        "SELECT position, envelope::text AS envelope, recorded_at FROM event_store e"
        " WHERE event_id = ANY($1::uuid[]) AND ($2::text[] IS NULL OR event_type = ANY($2))"
        f" AND {_APPENDED}",
        list(event_ids),
        list(event_types) if event_types is not None else None,
    )
    found = [
        RecordedEvent(r["position"], parse_stored(r["envelope"]), r["recorded_at"]) for r in rows
    ]
    return {e.envelope.event_id: e for e in found}


async def last_position(conn: Connection) -> int:
    """The position of the last event the log holds (0: none), by its key."""
    found: int = await conn.fetchval("SELECT coalesce(max(position), 0) FROM event_store")
    return found


async def stored_after(
    conn: Connection, event_ids: Sequence[uuid.UUID], position: int
) -> set[uuid.UUID]:
    """Those of these events the log stored after `position` (`last_position`), by the
    event's key."""
    rows = await conn.fetch(
        "SELECT event_id FROM event_store WHERE event_id = ANY($1::uuid[]) AND position > $2",
        list(event_ids),
        position,
    )
    return {r["event_id"] for r in rows}


@dataclass(frozen=True)
class EventStatus:
    recorded_at: dt.datetime | None  # None: not (yet) in the store
    event_type: str | None
    applied_by: list[str]  # the consumers that have applied it
    refused_by: list[str]  # the consumers that refused it (their dead letters say why)


async def status(conn: Connection, event_id: uuid.UUID, consumers: Sequence[str]) -> EventStatus:
    """The event's place in the log and its verdicts by each of `consumers` (every consumer
    there is: the ledger's key starts with the consumer, so a look-up by the event alone
    read every row of the ledger, 0.23 s at a million events, at each poll of a receipt
    waiting for processing; by each consumer's key, 0.06 ms)."""
    row = await conn.fetchrow(
        f"SELECT recorded_at, event_type FROM event_store e WHERE event_id = $1 AND {_APPENDED}",
        event_id,
    )
    verdicts = await conn.fetch(
        """SELECT consumer, refused FROM processed_events
           WHERE consumer = ANY($2::text[]) AND event_id = $1 ORDER BY consumer""",
        event_id,
        list(consumers),
    )
    return EventStatus(
        row["recorded_at"] if row else None,
        row["event_type"] if row else None,
        [r["consumer"] for r in verdicts if not r["refused"]],
        [r["consumer"] for r in verdicts if r["refused"]],
    )


async def refusals(
    conn: Connection, event_ids: Sequence[uuid.UUID], consumers: Sequence[str]
) -> dict[uuid.UUID, list[str]]:
    """Which of `consumers` refused each of these events (those none refused left out): one
    statement for a page of events, by the ledger's key."""
    rows = await conn.fetch(
        """SELECT event_id, consumer FROM processed_events
           WHERE consumer = ANY($2::text[]) AND event_id = ANY($1::uuid[]) AND refused
           ORDER BY consumer""",
        list(event_ids),
        list(consumers),
    )
    found: dict[uuid.UUID, list[str]] = {}
    for row in rows:
        found.setdefault(row["event_id"], []).append(row["consumer"])
    return found


async def recorded_through_the_api(
    conn: Connection, subject: str | None, before_position: int | None, limit: int, *, counted: bool
) -> tuple[list[RecordedEvent], int]:
    """Events people recorded through the API (by `subject` when given), newest first, before
    a position; and how many there are in all (0 unless `counted`: the count reads every one
    of them, where the page reads the page by the audit trail's index)."""
    where = (
        "envelope ? 'recorded_by'"
        " AND ($1::text IS NULL OR envelope->'recorded_by'->>'subject' = $1)"
    )
    rows = await conn.fetch(
        f"""SELECT position, envelope::text AS envelope, recorded_at FROM event_store e
            WHERE {where} AND {_APPENDED} AND ($2::bigint IS NULL OR position < $2)
            ORDER BY position DESC LIMIT $3""",
        subject,
        before_position,
        limit,
    )
    total = 0
    if counted:
        total = await conn.fetchval(_count_of_the_log(where), subject)
    events = [
        RecordedEvent(r["position"], parse_stored(r["envelope"]), r["recorded_at"]) for r in rows
    ]
    return events, total
