"""Queries for the people who run VendorWatch: the dead-letter store."""

from __future__ import annotations

import datetime as dt

import strawberry

from services.gateway.context import Info
from services.platform import dead_letters


@strawberry.type(description="Input that could not be accepted or applied, with the reason.")
class DeadLetter:
    id: strawberry.ID
    stage: str = strawberry.field(description="Where it stopped: ingest, registry, …")
    reason: str
    raw: str
    event_id: strawberry.ID | None
    event_type: str | None
    recorded_at: dt.datetime


@strawberry.type
class OperationsQuery:
    @strawberry.field(description="The most recent dead letters, newest first.")
    async def dead_letters(self, info: Info, first: int = 50) -> list[DeadLetter]:
        async with info.context.pool.acquire() as conn:
            letters = await dead_letters.latest(conn, min(max(first, 1), 500))
        return [
            DeadLetter(
                id=strawberry.ID(str(d.id)),
                stage=d.stage,
                reason=d.reason,
                raw=d.raw,
                event_id=strawberry.ID(str(d.event_id)) if d.event_id else None,
                event_type=d.event_type,
                recorded_at=d.recorded_at,
            )
            for d in letters
        ]
