"""Mutations: every change enters through the event log, exactly like any other producer's."""

from __future__ import annotations

import json

import strawberry
from strawberry.scalars import JSON

from services.events.catalog import EventRejected, parse_event
from services.events.sanction import SanctionImposed
from services.gateway.context import Info
from services.registry.imposition_rules import policy_refusal


class InvalidEvent(ValueError):
    """The submitted event is not valid; nothing was written."""


@strawberry.type(description="An event the log has durably taken; services apply it shortly.")
class SubmittedEvent:
    event_id: strawberry.ID
    event_type: str
    vendor_id: strawberry.ID


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Submits one event (the JSON envelope documented in schemas/events) into"
        " the event log. An event that breaks the contract is refused at once with the field"
        " and the reason, and nothing is written; one the services cannot apply later (an"
        " unknown vendor, an event id reused for other content) lands in deadLetters."
    )
    async def submit_event(self, info: Info, event: JSON) -> SubmittedEvent:
        raw = json.dumps(event, ensure_ascii=False).encode()
        try:
            # Checked here too so the caller hears why at once; ingest checks it again.
            envelope = parse_event(raw)
        except EventRejected as rejection:
            raise InvalidEvent(f"invalid event: {rejection.reason}") from None
        if isinstance(envelope.payload, SanctionImposed):
            refusal = policy_refusal(info.context.policies, envelope.payload)
            if refusal is not None:
                raise InvalidEvent(f"invalid event: {refusal}")
        await info.context.event_log.submit([raw])
        return SubmittedEvent(
            event_id=strawberry.ID(str(envelope.event_id)),
            event_type=envelope.event_type,
            vendor_id=strawberry.ID(envelope.vendor_id),
        )
