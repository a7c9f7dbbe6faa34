"""Queries about the event log itself: a vendor's timeline, what became of an event, and the
dead-letter store (for auditors, producers waiting for an effect, and operators)."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from strawberry.scalars import JSON

from services.gateway.context import Info
from services.gateway.errors import InvalidArgument
from services.gateway.pagination import PageInfo, numeric_cursor
from services.platform import dead_letters, event_store


@strawberry.type(description="Input that could not be accepted or applied, with the reason.")
class DeadLetter:
    id: strawberry.ID
    stage: str = strawberry.field(description="Where it stopped: ingest, registry, risk, …")
    reason: str
    raw: str
    event_id: strawberry.ID | None
    event_type: str | None
    recorded_at: dt.datetime

    @classmethod
    def of(cls, letter: dead_letters.StoredDeadLetter) -> DeadLetter:
        return cls(
            id=strawberry.ID(str(letter.id)),
            stage=letter.stage,
            reason=letter.reason,
            raw=letter.raw,
            event_id=strawberry.ID(str(letter.event_id)) if letter.event_id else None,
            event_type=letter.event_type,
            recorded_at=letter.recorded_at,
        )


@strawberry.type(description="One event as recorded in the log.")
class LoggedEvent:
    event_id: strawberry.ID
    event_type: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime = strawberry.field(description="When the log accepted it.")
    source: str
    payload: JSON


@strawberry.type
class EventEdge:
    cursor: str
    node: LoggedEvent


@strawberry.type(description="A page of a vendor's events, oldest first.")
class EventConnection:
    edges: list[EventEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type(description="What became of a submitted event.")
class EventStatus:
    event_id: strawberry.ID
    accepted: bool = strawberry.field(description="In the log (validated and stored).")
    recorded_at: dt.datetime | None
    applied_by: list[str] = strawberry.field(
        description="The services that have applied it (registry, risk, …)."
    )
    dead_letters: list[DeadLetter] = strawberry.field(
        description="Why it was refused, by ingest or by a service, if it was."
    )


@strawberry.type
class OperationsQuery:
    @strawberry.field(description="The most recent dead letters, newest first.")
    async def dead_letters(self, info: Info, first: int = 50) -> list[DeadLetter]:
        async with info.context.pool.acquire() as conn:
            letters = await dead_letters.latest(conn, min(max(first, 1), 500))
        return [DeadLetter.of(d) for d in letters]

    @strawberry.field(description="Everything recorded about a vendor, in log order.")
    async def events(
        self, info: Info, vendor_id: strawberry.ID, first: int = 50, after: str | None = None
    ) -> EventConnection:
        limit = min(max(first, 1), 500)
        async with info.context.pool.acquire() as conn:
            recorded, total = await event_store.vendor_timeline(
                conn, str(vendor_id), numeric_cursor(after) or 0, limit + 1
            )
        page = recorded[:limit]
        edges = [
            EventEdge(
                cursor=str(r.position),
                node=LoggedEvent(
                    event_id=strawberry.ID(str(r.envelope.event_id)),
                    event_type=r.envelope.event_type,
                    occurred_at=r.envelope.occurred_at,
                    recorded_at=r.recorded_at,
                    source=r.envelope.source,
                    payload=JSON(r.envelope.payload.model_dump(mode="json")),
                ),
            )
            for r in page
        ]
        return EventConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(recorded) > limit,
                end_cursor=edges[-1].cursor if edges else after,
            ),
            total_count=total,
        )

    @strawberry.field(
        description="Whether an event is in the log, which services have applied it, and any"
        " refusal: poll it to wait for a submitted event's effect."
    )
    async def event_status(self, info: Info, event_id: strawberry.ID) -> EventStatus:
        try:
            wanted = uuid.UUID(str(event_id))
        except ValueError:
            raise InvalidArgument(f"eventId: {event_id!r} is not an event id (a UUID)") from None
        async with info.context.pool.acquire() as conn:
            found = await event_store.status(conn, wanted)
            letters = await dead_letters.of_event(conn, wanted)
        return EventStatus(
            event_id=event_id,
            accepted=found.recorded_at is not None,
            recorded_at=found.recorded_at,
            applied_by=found.applied_by,
            dead_letters=[DeadLetter.of(d) for d in letters],
        )
