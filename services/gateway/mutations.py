"""Mutations: every change enters through the event log, exactly like any other producer's."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import strawberry
from strawberry.scalars import JSON

from services.events.catalog import SCHEMA_VERSION, EventRejected, parse_event
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


# The source of the events people record through the API.
API_SOURCE = "vendorwatch.api"


async def submit(info: Info, raw: bytes) -> SubmittedEvent:
    """Validates one event as ingest will, refuses it with the reason, or puts it in the log."""
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


async def record(
    info: Info, event_type: str, vendor_id: str, payload: dict[str, Any]
) -> SubmittedEvent:
    """An event a person records through a typed mutation: `payload` in its JSON form."""
    envelope = {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "schema_version": SCHEMA_VERSION,
        "occurred_at": dt.datetime.now(info.context.settings.timezone).isoformat(),
        "source": API_SOURCE,
        "vendor_id": vendor_id,
        "payload": payload,
    }
    return await submit(info, json.dumps(envelope, ensure_ascii=False, default=str).encode())


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Submits one event (the JSON envelope documented in schemas/events) into"
        " the event log. An event that breaks the contract is refused at once with the field"
        " and the reason, and nothing is written; one the services cannot apply later (an"
        " unknown vendor, an event id reused for other content) lands in deadLetters."
    )
    async def submit_event(self, info: Info, event: JSON) -> SubmittedEvent:
        return await submit(info, json.dumps(event, ensure_ascii=False).encode())
