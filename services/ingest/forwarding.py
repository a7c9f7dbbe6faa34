"""Forwarding accepted events to the consumers' topics once (distributed mode).

Ingest acknowledges a batch of the entrance topic only after storing and forwarding it, so a
crash in between reads the batch again, and what it stored is forwarded then. A producer's
resend of an event stored long ago is accepted again (ingest is idempotent) but must not be
forwarded again: every consumer would have to ignore it. What was forwarded is recorded after
the topic took it; a crash between the two is the one case left that forwards an event twice,
and the consumers' ledgers still apply it once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from services.events.base import EventEnvelope
from services.ingest.handlers import Accepted
from services.platform.postgres.database import Connection


async def to_forward(conn: Connection, accepted: Sequence[Accepted]) -> list[EventEnvelope]:
    """The accepted events not forwarded yet, once each, in order: every new one, and those
    stored before whose forwarding was never recorded."""
    stored_before = [a.envelope.event_id for a in accepted if not a.new]
    skip: set[uuid.UUID] = set()
    if stored_before:
        rows = await conn.fetch(
            "SELECT event_id FROM ingest_forwarded WHERE event_id = ANY($1::uuid[])",
            stored_before,
        )
        skip = {r["event_id"] for r in rows}
    events = []
    for envelope in (a.envelope for a in accepted):
        if envelope.event_id not in skip:
            skip.add(envelope.event_id)  # sent twice in one batch: forwarded once
            events.append(envelope)
    return events


async def record_forwarded(conn: Connection, events: Sequence[EventEnvelope]) -> None:
    await conn.execute(
        "INSERT INTO ingest_forwarded (event_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING",
        [e.event_id for e in events],
    )
