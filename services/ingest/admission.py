"""Who may say what (pure): the catalog's input events come from anyone, `recorded_by` only
from the API's verified token, and the events services emit only from the services."""

from __future__ import annotations

from services.events.base import EventEnvelope
from services.events.catalog import EMITTED_TYPES
from services.platform.eventlog.base import Writer


def admission_problem(envelope: EventEnvelope, writer: Writer) -> str | None:
    """Why `writer` may not submit this event, or None when it may."""
    emitted = envelope.event_type in EMITTED_TYPES
    if writer is Writer.SERVICE:
        if not emitted:
            return f"event_type: {envelope.event_type} is not an event a service emits"
        return None
    if emitted:
        return (
            f"event_type: {envelope.event_type} is emitted by VendorWatch's services only;"
            " it cannot be submitted from outside"
        )
    if writer is Writer.PRODUCER and envelope.recorded_by is not None:
        return (
            "recorded_by: set only by the API, from the caller's verified token;"
            " a producer cannot claim it"
        )
    return None
