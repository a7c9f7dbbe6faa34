"""Queries about the event log itself: a vendor's timeline, what became of an event, and the
dead-letter store (for auditors, producers waiting for an effect, and operators)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from services.events.catalog import EVENT_TYPES
from services.gateway.execution.permissions import AUDITORS
from services.platform.consuming import dead_letters
from services.platform.eventstore import event_queries
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import After, described_enum, first
from services.platform.graphql.errors import InvalidArgument
from services.platform.graphql.loaders import batched
from services.platform.graphql.nodes import Key, Node, in_key_order, logged_events
from services.platform.graphql.pagination import (
    Connection,
    PageInfo,
    cursor_position,
    page_size,
    position_cursor,
    total_count_asked,
)
from services.platform.graphql.processing import DeadLetter, EventStatus, StageName, status_of
from services.platform.postgres.database import Connection as Database
from services.platform.security.auth import Role

MAX_PAGE = 500
First500 = first(MAX_PAGE)

described_enum(
    Role,
    name="Role",
    description="What a token's holder may do: the role its `role` claim names"
    ' (services/gateway/README.md, "Authentication and roles", has the whole matrix).',
    values={
        "VIEWER": "Reads vendors, risk, plans and changes; subscribes.",
        "PROCUREMENT_OFFICER": "A viewer that also checks eligibility and records vendors,"
        " contracts and certificates.",
        "SYSTEM_OWNER": "Also records contracts, subcontracts, certificates, incidents and"
        " migration plans, of its own agencies only.",
        "RISK_ANALYST": "Also reports, investigates and closes incidents.",
        "SANCTION_AUTHORITY": "Also imposes, amends and lifts sanctions, records claims and"
        " checks eligibility.",
        "AUDITOR": "Reads everything (the event log, the audit trail, dead letters) and"
        " completes audits.",
        "ADMIN": "Does everything, raw `submitEvent` included.",
    },
)


@strawberry.type(description="Who recorded an event through the API, and from where.")
class Recorder:
    subject: str = strawberry.field(description="The token's subject: the person or system.")
    role: Role = strawberry.field(description="The token's role.")
    agencies: list[str] = strawberry.field(description="The agencies the token is for.")
    client: str | None = strawberry.field(
        description="The caller's network address; null when not known."
    )


@strawberry.type(description="One event as recorded in the log.")
class LoggedEvent(Node):
    event_id: strawberry.ID = strawberry.field(
        description="The event's id (a UUID): its idempotency key."
    )
    event_type: str = strawberry.field(
        description="The catalog entry it belongs to, e.g. vendor.registered (schemas/events)."
    )
    vendor_id: strawberry.ID = strawberry.field(description="The vendor it is about.")
    occurred_at: dt.datetime = strawberry.field(
        description="When it happened, as the producer said (with its UTC offset)."
    )
    recorded_at: dt.datetime = strawberry.field(description="When the log accepted it.")
    source: str = strawberry.field(
        description="The producing system, e.g. city.procurement; vendorwatch.api for what"
        " was recorded through this API."
    )
    recorded_by: Recorder | None = strawberry.field(
        description="Set for what people recorded through the API; null for other producers."
    )
    payload: JSON = strawberry.field(
        description="The event's payload as stored, in the event contract's JSON form"
        " (snake_case keys, as in schemas/events)."
    )

    @strawberry.field(
        description="The services that refused it, so that it had no effect there (the"
        " registry's refusal is the event's verdict: no other service acts on it);"
        " `eventStatus` and the dead letters say why. Empty for an event nobody refused."
    )
    async def refused_by(self, info: Info) -> list[StageName]:
        none: list[str] = []
        loader = batched(info, "logged_event_refusals", _refusals, none)
        return [StageName(stage) for stage in await loader.load(str(self.event_id))]

    @classmethod
    def of(cls, recorded: event_queries.RecordedEvent) -> LoggedEvent:
        event, by = recorded.envelope, recorded.envelope.recorded_by
        return cls(
            event_id=strawberry.ID(str(event.event_id)),
            event_type=event.event_type,
            vendor_id=strawberry.ID(event.vendor_id),
            occurred_at=event.occurred_at,
            recorded_at=recorded.recorded_at,
            source=event.source,
            recorded_by=Recorder(
                subject=by.subject, role=Role(by.role), agencies=list(by.agencies), client=by.client
            )
            if by
            else None,
            payload=JSON(event.payload.model_dump(mode="json")),
        )

    node_key_names = ("eventId",)
    # As `events` and `auditTrail`, which serve it: the log holds every agency's records.
    node_readers = AUDITORS

    def node_key(self) -> Key:
        return (str(self.event_id),)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[LoggedEvent | None]:
        events = await logged_events(info, keys)
        return in_key_order({k: cls.of(e) for k, e in events.items()}, keys)


async def _refusals(conn: Database, ids: list[str]) -> dict[str, list[str]]:
    stages = [stage.value for stage in StageName]
    found = await event_queries.refusals(conn, [uuid.UUID(i) for i in ids], stages)
    return {str(event_id): consumers for event_id, consumers in found.items()}


@strawberry.type(description="One event of a page, with the cursor that marks its place.")
class EventEdge:
    cursor: str = strawberry.field(
        description="Opaque: pass it as `after` for the next ones (this list's own: another"
        " list's cursor is refused)."
    )
    node: LoggedEvent = strawberry.field(description="The event.")


@strawberry.type(description="A page of events.")
class EventConnection:
    edges: list[EventEdge] = strawberry.field(description="The page's events, in list order.")
    page_info: PageInfo = strawberry.field(
        description="Where the page is in the list, and the cursors to move on from it."
    )
    total_count: int = strawberry.field(description="How many events there are in all.")


@strawberry.type
class OperationsQuery:
    @strawberry.field(
        description="What could not be accepted or applied, newest first (by when it was"
        " recorded); only what every filter given lets through."
    )
    async def dead_letters(
        self,
        info: Info,
        first: Annotated[int, First500] = 50,
        after: After = None,
        vendor_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only the letters whose input names this vendor (`vendorId`),"
                " input refused at ingest included, which no vendor's `events` shows."
            ),
        ] = None,
        stage: Annotated[
            StageName | None,
            strawberry.argument(description="Only those refused here: at ingest, or by a service."),
        ] = None,
        event_type: Annotated[
            str | None,
            strawberry.argument(
                description="Only those of this event type (a catalog entry, e.g."
                " contract.awarded)."
            ),
        ] = None,
        recorded_from: Annotated[
            dt.datetime | None,
            strawberry.argument(
                description="Only those recorded at this moment or later (with its UTC offset)."
            ),
        ] = None,
        recorded_before: Annotated[
            dt.datetime | None,
            strawberry.argument(
                description="Only those recorded before this moment (with its UTC offset)."
            ),
        ] = None,
    ) -> Connection[DeadLetter]:
        limit = page_size(first, MAX_PAGE)
        filters = _letter_filters(vendor_id, stage, event_type, recorded_from, recorded_before)
        async with info.context.pool.acquire() as conn:
            before = cursor_position("dead_letters", after)
            letters = await dead_letters.latest(conn, limit + 1, before, filters)
            # Counted only when asked: a count reads every matching letter (0.2 s at a
            # million) but without a filter or with a stage alone (their tallies).
            total = await dead_letters.count_of(conn, filters) if total_count_asked(info) else 0
        nodes = [DeadLetter.of(d) for d in letters[:limit]]
        return Connection.of(
            nodes,
            lambda d: position_cursor("dead_letters", int(d.dead_letter_id)),
            total,
            len(letters) > limit,
            after,
        )

    @strawberry.field(description="Everything recorded about a vendor, in log order.")
    async def events(
        self,
        info: Info,
        vendor_id: Annotated[
            strawberry.ID, strawberry.argument(description="The vendor, by its id.")
        ],
        first: Annotated[int, First500] = 50,
        after: After = None,
    ) -> EventConnection:
        limit = page_size(first, MAX_PAGE)
        async with info.context.pool.acquire() as conn:
            recorded, total = await event_queries.vendor_timeline(
                conn,
                str(vendor_id),
                cursor_position("events", after) or 0,
                limit + 1,
                counted=total_count_asked(info),
            )
        page = recorded[:limit]
        edges = [
            EventEdge(cursor=position_cursor("events", r.position), node=LoggedEvent.of(r))
            for r in page
        ]
        return EventConnection(
            edges=edges,
            page_info=PageInfo.of([e.cursor for e in edges], len(recorded) > limit, after),
            total_count=total,
        )

    @strawberry.field(
        description="The audit trail: what people recorded through the API (who, with which"
        " role and agencies, from where), newest first; only one person's when `subject` is"
        " given."
    )
    async def audit_trail(
        self,
        info: Info,
        subject: Annotated[
            str | None,
            strawberry.argument(
                description="Only what this token subject (person or system) recorded; null:"
                " everyone's."
            ),
        ] = None,
        first: Annotated[int, First500] = 50,
        after: After = None,
    ) -> EventConnection:
        limit = page_size(first, MAX_PAGE)
        async with info.context.pool.acquire() as conn:
            recorded, total = await event_queries.recorded_through_the_api(
                conn,
                subject,
                cursor_position("audit_trail", after),
                limit + 1,
                counted=total_count_asked(info),
            )
        edges = [
            EventEdge(cursor=position_cursor("audit_trail", r.position), node=LoggedEvent.of(r))
            for r in recorded
        ]
        shown = edges[:limit]
        return EventConnection(
            edges=shown,
            page_info=PageInfo.of([e.cursor for e in shown], len(edges) > limit, after),
            total_count=total,
        )

    @strawberry.field(
        description="Whether an event is in the log, which services have applied it, and any"
        " refusal: poll it to wait for a submitted event's effect."
    )
    async def event_status(
        self,
        info: Info,
        event_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="The event's id (a UUID), as a receipt or the producer gave it."
            ),
        ],
    ) -> EventStatus:
        try:
            wanted = uuid.UUID(str(event_id))
        except ValueError:
            raise InvalidArgument(f"eventId: {event_id!r} is not an event id (a UUID)") from None
        async with info.context.pool.acquire() as conn:
            return await status_of(conn, wanted, info.context.handled_by)


def _letter_filters(
    vendor_id: strawberry.ID | None,
    stage: StageName | None,
    event_type: str | None,
    recorded_from: dt.datetime | None,
    recorded_before: dt.datetime | None,
) -> dead_letters.Filters:
    """`deadLetters`' filters, refused with the argument's name where none could match: a
    letter names a catalog type or none, and a range must be one."""
    if event_type is not None and event_type not in EVENT_TYPES:
        raise InvalidArgument(
            f"eventType: unknown event type {event_type!r}; known types are"
            f" {', '.join(EVENT_TYPES)}"
        )
    if recorded_from and recorded_before and recorded_before <= recorded_from:
        raise InvalidArgument(
            f"recordedBefore: {recorded_before.isoformat()} is not after recordedFrom"
            f" ({recorded_from.isoformat()}): no letter was recorded in between"
        )
    return dead_letters.Filters(
        vendor_id=str(vendor_id) if vendor_id is not None else None,
        stage=stage.value if stage else None,
        event_type=event_type,
        recorded_from=recorded_from,
        recorded_before=recorded_before,
    )
