"""When the log recorded an event: the time a service's own decisions about it are dated.

A handler that dated them with the wall clock would date them differently on every replay;
the event store's `recorded_at` is the same live and in a rebuild, in both modes (ingest
stores every event before any service sees it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from services.events.base import EventEnvelope
from services.platform.clock import Clock
from services.platform.postgres.database import Connection


def recorded_at_sql(event_id: str) -> str:
    """The SQL expression of when the log recorded the event whose id is `event_id` (a column
    of the statement), the transaction's time for an event applied without the log: what the
    registry's dating trigger gives a row, given by a set-based statement itself so that no
    trigger runs per row (registry migrations 0003 and 0008)."""
    return (
        f"coalesce((SELECT logged.recorded_at FROM event_store logged"
        f" WHERE logged.event_id = {event_id}), now())"
    )


async def recorded_time(conn: Connection, event: EventEnvelope, clock: Clock) -> dt.datetime:
    """The event's `recorded_at` in the clock's time zone; the clock's now for an event
    applied without the log (tests drive handlers directly)."""
    return (await recorded_times(conn, [event.event_id], clock))[event.event_id]


async def recorded_times(
    conn: Connection, event_ids: Sequence[uuid.UUID], clock: Clock
) -> dict[uuid.UUID, dt.datetime]:
    """`recorded_time` of many events in one statement (batch application)."""
    rows = await conn.fetch(
        "SELECT event_id, recorded_at FROM event_store WHERE event_id = ANY($1::uuid[])",
        list(event_ids),
    )
    found = {r["event_id"]: r["recorded_at"].astimezone(clock.timezone) for r in rows}
    return {event_id: found.get(event_id) or clock.now() for event_id in event_ids}


async def positions(conn: Connection, event_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Where the log holds these events (`event_store.position`, the order appends are
    written in): what orders the events of one ingest batch, which share their recorded
    moment. An event applied without the log has none."""
    rows = await conn.fetch(
        "SELECT event_id, position FROM event_store WHERE event_id = ANY($1::uuid[])",
        list(event_ids),
    )
    return {r["event_id"]: r["position"] for r in rows}
