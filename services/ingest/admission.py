"""Who may say what (pure): the catalog's input events come from anyone, `recorded_by` only
from the API's verified token, and each event a service emits only from the worker that runs
that service, saying so in its `source`; a producer's texts without the invisible, format and
control characters the API's receipt refuses (`events/text_fields.py`); and, on Kafka, every
record keyed by the vendor it is about, on the partition that key picks."""

from __future__ import annotations

from typing import NamedTuple

from services.events.base import API_SOURCE, EventEnvelope
from services.events.catalog import EMITTED_BY, EMITTED_TYPES, Problem
from services.events.text_fields import text_check
from services.platform.eventlog.base import Writer
from services.platform.eventlog.partitioning import PARTITIONER, key_partition


def admission_problem(envelope: EventEnvelope, writer: Writer) -> str | None:
    """Why `writer` may not submit this event, or None when it may."""
    if problem := type_problem(envelope.event_type, writer):
        return problem
    if writer in EMITS and envelope.source != (owner := EMITTED_BY[envelope.event_type]):
        return (
            f"source: {envelope.source!r} does not emit {envelope.event_type};"
            f" only {owner} does, and its events say so"
        )
    if writer is Writer.PRODUCER and envelope.recorded_by is not None:
        return RECORDED_BY_CLAIMED
    if writer is Writer.PRODUCER and envelope.source == API_SOURCE:
        return RESERVED_SOURCE
    if writer is Writer.PRODUCER and (text := text_check(envelope)) is not None:
        # What is taken in from now on: a rebuild replays the store, not this entrance, so an
        # event stored before the check is read and judged as it was (one sent again is
        # refused, its letter beside the stored event, as a conflicting id's is). The API's
        # own were checked by its receipt; a service's carry texts of events stored before.
        return f"{text.field}: {text.message}"
    return None


def unread_problem(event_type: str | None, claims_recorded_by: bool, writer: Writer) -> str | None:
    """Why `writer` may not submit an input the catalog refuses, asked before the catalog's
    reason, or None: an emitted type (`type_problem`), then a producer's `recorded_by`.
    A partial one (`{"subject": "mallory"}`) was refused for its missing `role`, a reason
    that invited completing the claim, which is then refused as the claim it is."""
    if event_type is not None and (problem := type_problem(event_type, writer)):
        return problem
    if writer is Writer.PRODUCER and claims_recorded_by:
        return RECORDED_BY_CLAIMED
    return None


RECORDED_BY_CLAIMED = (
    "recorded_by: set only by the API, from the caller's verified token; a producer cannot claim it"
)


# The typed mutations' own source: their copies of one event are told apart from a second
# event without `occurred_at`, which the API stamps at each request (event_store.recorded_apart).
RESERVED_SOURCE = (
    f"source: {API_SOURCE} is the API's typed mutations' own; name the producing system"
)


# The services whose events each emitting worker relays, by their `source` (catalog.EMITTED_BY):
# the only types its entrance takes. The registry's worker runs the alerts too.
EMITS: dict[Writer, frozenset[str]] = {
    Writer.REGISTRY: frozenset({"vendorwatch.registry", "vendorwatch.alerts"}),
    Writer.RISK: frozenset({"vendorwatch.risk"}),
    Writer.MIGRATION: frozenset({"vendorwatch.migration"}),
}


def type_problem(event_type: str, writer: Writer) -> str | None:
    """Why `writer` may not submit an event of this type, or None when it may. Asked first,
    also of an input the catalog refuses: an emitted type from outside is refused as such,
    not for the fields its payload lacks; one from another service's worker, as another's."""
    emitted = event_type in EMITTED_TYPES
    if writer in EMITS:
        if not emitted:
            return f"event_type: {event_type} is not an event a service emits"
        if (owner := EMITTED_BY[event_type]) not in EMITS[writer]:
            return (
                f"event_type: {event_type} is emitted by {owner} only; the {writer.value}"
                f" worker's entrance takes {', '.join(_owned_types(writer))}"
            )
        return None
    if emitted:
        return (
            f"event_type: {event_type} is emitted by VendorWatch's services only;"
            " it cannot be submitted from outside"
        )
    return None


def _owned_types(writer: Writer) -> list[str]:
    return sorted(t for t, owner in EMITTED_BY.items() if owner in EMITS[writer])


class Placement(NamedTuple):
    """Where a Kafka record came from: its key, and its partition of how many the topic has
    (None when not known: a record ingested other than from a topic)."""

    key: bytes | None
    partition: int | None = None
    partitions: int | None = None


def placement_problem(placement: Placement, envelope: EventEnvelope) -> str | None:
    """Why a Kafka record's key or partition does not fit its event, or None. The key must
    be its `vendor_id`, and the record on the partition that key picks: a vendor's events
    keep their order only on one partition, so a record elsewhere is refused rather than
    re-placed, since events of that vendor already sent to the right one may overtake it or
    be overtaken (an imposition sent to one partition and its lift to another: the lift read
    first, and refused)."""
    if problem := key_problem(placement.key, envelope):
        return problem
    partition, partitions = placement.partition, placement.partitions
    if partition is None or partitions is None:
        return None
    expected = key_partition(envelope.vendor_id.encode(), partitions)
    if partition != expected:
        return (
            f"Kafka partition: {partition}, where the key {envelope.vendor_id!r} belongs on"
            f" partition {expected} (of {partitions}); send without naming a partition, with"
            f" {PARTITIONER}, which keeps one vendor's events in order on one partition"
        )
    return None


def key_problem(key: bytes | None, envelope: EventEnvelope) -> str | None:
    """Why a Kafka record's key does not fit its event, or None: keyed otherwise, or not at
    all, it is refused rather than re-keyed (`placement_problem`)."""
    expected = envelope.vendor_id
    if key is None:
        return (
            f"Kafka key: missing; key the record by its vendor_id ({expected!r}), which keeps"
            " one vendor's events in order on one partition"
        )
    if key != expected.encode():
        sent = key.decode(errors="replace")
        sent = sent if len(sent) <= 80 else sent[:80] + "…"
        return (
            f"Kafka key: {sent!r} is not the event's vendor_id ({expected!r}); key the record"
            " by its vendor_id, which keeps one vendor's events in order on one partition"
        )
    return None


def api_type_check(event_type: str) -> Problem | None:
    """The API's check of the type of an event it records, before the log and before the
    payload's: an emitted type, which ingest would refuse, is refused in the receipt as such,
    not accepted there and dead-lettered later (as are an event too long as stored and a
    reused id: `graphql/receipts.py`), nor refused for the fields its payload lacks."""
    problem = type_problem(event_type, Writer.API)
    return None if problem is None else Problem("event_type", _after_field(problem), "emitted_only")


def _after_field(problem: str) -> str:
    return problem.split(": ", 1)[1] if problem.startswith("event_type: ") else problem
