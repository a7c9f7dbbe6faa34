"""The raw mutation: any catalog event, as producers send it, through the same path as the
typed mutations (event_mutations.py)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from services.events.base import API_SOURCE
from services.events.catalog import Problem
from services.ingest.admission import RESERVED_SOURCE
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import WaitForProcessing
from services.platform.graphql.receipts import EventReceipt, refused, submit


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Submits one event (the JSON envelope documented in schemas/events) into"
        " the event log. An event that breaks the contract is refused at once with each field"
        " and reason (snake_case, as in the contract), and nothing is written, as are those the"
        " services' rules refuse of the records on hand (an unknown vendor: `vendor_id`,"
        " `unknown_vendor`); one the services cannot apply later (a registration whose"
        " identifier one sent just before takes) shows in the receipt's processing (with"
        " waitForProcessing) and in deadLetters. `recorded_by` is set from the caller's token."
    )
    async def submit_event(
        self,
        info: Info,
        event: Annotated[
            JSON,
            strawberry.argument(
                description="The event envelope, a JSON object exactly as a producer sends it"
                " to the raw topic (keys as in schemas/events)."
            ),
        ],
        wait_for_processing: WaitForProcessing = False,
    ) -> EventReceipt:
        if not isinstance(event, dict):
            problem = Problem("event", "must be a JSON object (the envelope)", "dict_type")
            return refused("unknown", None, (problem,), camel=False)
        envelope: dict[str, Any] = event
        source = envelope.get("source")
        if isinstance(source, str) and source.strip() == API_SOURCE:  # stored stripped
            # Its copies would be one event whatever their `occurred_at` (event_store.py).
            said = RESERVED_SOURCE.removeprefix("source: ")
            named = envelope.get("event_type")
            return refused(
                named if isinstance(named, str) else "unknown",
                None,
                (Problem("source", said, "reserved_source"),),
                camel=False,
            )
        return await submit(info, envelope, wait=wait_for_processing, camel=False)
