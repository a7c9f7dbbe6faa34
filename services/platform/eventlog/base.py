"""What producers and services need from an event log, whichever adapter provides it."""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from typing import Protocol


class Writer(enum.Enum):
    """Who hands events to the log, which decides what they may say (ARCHITECTURE.md, "Who
    may write what"). Each has its own way in: a topic of its own in distributed mode, whose
    write access the deployment restricts to that writer. The services that emit events each
    have their own, so that one cannot say another's: the broker authenticates who writes a
    topic, not what a record says (the `source` of an event is the writer's word only)."""

    PRODUCER = "producer"  # any outside system: catalog input events, no recorded_by
    API = "api"  # the API: input events stamped with recorded_by from a verified token
    # The outbox relays of each worker that emits events: only its own services' types. The
    # registry's worker runs the alerts too, and relays their outbox.
    REGISTRY = "registry"
    RISK = "risk"
    MIGRATION = "migration"


class EventLog(Protocol):
    """Producers submit raw events; ingest validates them on the far side of the log."""

    # Whether what `submit` delivered is in the event store once it returns (embedded:
    # ingest runs in the call), or only later (Kafka: ingest stores it when it reads it).
    stored_on_submit: bool

    async def submit(self, raws: Sequence[bytes], writer: Writer = Writer.PRODUCER) -> None:
        """Delivers raw events durably into the log (not necessarily applied yet)."""


def vendor_key(raw: bytes) -> bytes | None:
    """The partition key of a raw event, its `vendor_id`, when it can be read at all.

    Malformed input has no key; it still travels, so ingest can dead-letter it with a reason.
    """
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    vendor_id = document.get("vendor_id") if isinstance(document, dict) else None
    if not isinstance(vendor_id, str) or not vendor_id:
        return None
    try:
        return vendor_id.encode()
    except UnicodeEncodeError:  # a lone surrogate ("\ud800"), which JSON can spell
        return None
