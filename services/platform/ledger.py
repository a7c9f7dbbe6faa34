"""The processed-event ledger: which consumer has already applied which event."""

from __future__ import annotations

import uuid

from services.platform.database import Connection


async def claim(conn: Connection, consumer: str, event_id: uuid.UUID) -> bool:
    """True the first time `consumer` sees `event_id`; call in the state change's transaction."""
    claimed = await conn.fetchval(
        "INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2)"
        " ON CONFLICT DO NOTHING RETURNING true",
        consumer,
        event_id,
    )
    return bool(claimed)
