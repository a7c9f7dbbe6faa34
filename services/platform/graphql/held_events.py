"""What the log holds under the id of an event a receipt is asked to record, and how the
receipt answers it (`receipts.submit`): the same event sent again is the event recorded;
another under its id is refused, saying why it is another.

What ingest would refuse is told in the receipt, not dead-lettered after it said accepted.
A resend racing its first copy (in Kafka still, or in a concurrent request) is ingest's to
judge, alike: the first copy stands (`event_store.append_batch`).
"""

from __future__ import annotations

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import EventRejected, Problem, parse_stored
from services.platform.eventstore import event_store


async def held(pool: asyncpg.Pool, event: EventEnvelope) -> EventEnvelope | EventRejected | None:
    """The event the log holds under this event's id (None: none); EventRejected for one
    stored under another catalog, which this one cannot read: not this event, whatever it
    was."""
    text: str | None = await pool.fetchval(
        "SELECT envelope::text FROM event_store WHERE event_id = $1", event.event_id
    )
    if text is None:
        return None
    try:
        return parse_stored(text)
    except EventRejected as unread:
        return unread


def same_event(stored: EventEnvelope | EventRejected, event: EventEnvelope) -> bool:
    """The same event sent again through the API: a retry from another address, or with a
    renewed token, differs only in `recorded_by` (a mutation's retry under its idempotency key
    in `occurred_at` too), and is accepted as the event recorded."""
    return isinstance(stored, EventEnvelope) and event_store.recorded_apart(stored, event)


def reused(stored: EventEnvelope | EventRejected, event: EventEnvelope) -> Problem:
    """Why `event` sent through `submitEvent` is not the event stored under its id. A
    producer's event (`vendorwatch publish`, an import: no `recorded_by`) sent again through
    the API, byte for byte, is one of them: the API records who sent it, so its copy says who
    decided where the stored one says nothing, and accepted it would answer "recorded" for a
    claim the log does not hold (ARCHITECTURE, "Batch append"). Said so, rather than as
    "different content", which sent the caller looking for a difference in what they sent."""
    if isinstance(stored, EventEnvelope) and stored.recorded_by is None:
        unrecorded = event.model_copy(update={"recorded_by": None})
        if event_store.canonical_json(unrecorded) == event_store.canonical_json(stored):
            return Problem(
                "event_id",
                f"{event.event_id} is already stored as a producer sent it, without"
                " recorded_by; a copy sent through the API records who sent it, so it is"
                " another event under the same id, and the stored one stands (follow it with"
                " eventStatus): an event id identifies one event only",
                "reused_id",
            )
    return Problem(
        "event_id",
        f"{event.event_id} was already accepted with different content; an event id"
        " identifies one event only",
        "reused_id",
    )


def reused_key(stored: EventEnvelope | EventRejected) -> Problem:
    """Why a mutation's idempotency key, given for another event, is refused."""
    what = (
        f" ({stored.event_type} of vendor {stored.vendor_id})"
        if isinstance(stored, EventEnvelope)
        else ""
    )
    return Problem(
        "idempotencyKey",
        f"was already used for another event{what}; a key names one event only: give a new"
        " key for a new event",
        "reused_key",
    )
