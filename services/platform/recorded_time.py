"""When the log recorded an event: the time a service's own decisions about it are dated.

A handler that dated them with the wall clock would date them differently on every replay;
the event store's `recorded_at` is the same live and in a rebuild, in both modes (ingest
stores every event before any service sees it).
"""

from __future__ import annotations

import datetime as dt

from services.events.base import EventEnvelope
from services.platform.clock import Clock
from services.platform.database import Connection


async def recorded_time(conn: Connection, event: EventEnvelope, clock: Clock) -> dt.datetime:
    """The event's `recorded_at` in the clock's time zone; the clock's now for an event
    applied without the log (tests drive handlers directly)."""
    recorded: dt.datetime | None = await conn.fetchval(
        "SELECT recorded_at FROM event_store WHERE event_id = $1", event.event_id
    )
    return clock.now() if recorded is None else recorded.astimezone(clock.timezone)
