"""The catalog: every event type, its payload model and its typed envelope; parsing raw bytes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from services.events.alerts import AlertAcknowledged, AlertRaised, WatchlistSaved
from services.events.base import EventEnvelope, Payload, SchemaVersion
from services.events.compliance import AuditCompleted, CertificateSubmitted
from services.events.contract import (
    ContractAmended,
    ContractAwarded,
    ContractTerminated,
    SubcontractApproved,
    SubcontractRejected,
    SubcontractRequested,
)
from services.events.emitted import EligibilityChanged, RiskChanged
from services.events.error_words import in_words
from services.events.imports import ImportCandidatesListed, ImportReported
from services.events.incident import IncidentClosed, IncidentInvestigated, IncidentReported
from services.events.match_review import VendorMatchReviewed
from services.events.migration import (
    MigrationChecklistUpdated,
    MigrationItemConfigured,
    MigrationItemStatusChanged,
    MigrationPlanConfigured,
    MigrationPlanCreated,
    MigrationPlanRequested,
    MigrationPlanScheduled,
    MigrationPlanWithdrawn,
    MigrationReplacementChosen,
)
from services.events.sanction import (
    ClaimFiled,
    ClaimSettled,
    SanctionAmended,
    SanctionImposed,
    SanctionLifted,
)
from services.events.vendor import (
    VendorAffiliationChanged,
    VendorRegistered,
    VendorRenamed,
    VendorUpdated,
)

SCHEMA_VERSION = 1

PAYLOADS: tuple[type[Payload], ...] = (
    VendorRegistered,
    VendorUpdated,
    VendorRenamed,
    VendorAffiliationChanged,
    VendorMatchReviewed,
    ContractAwarded,
    ContractAmended,
    ContractTerminated,
    SubcontractRequested,
    SubcontractApproved,
    SubcontractRejected,
    IncidentReported,
    IncidentInvestigated,
    IncidentClosed,
    SanctionImposed,
    SanctionAmended,
    SanctionLifted,
    ClaimFiled,
    ClaimSettled,
    CertificateSubmitted,
    AuditCompleted,
    EligibilityChanged,
    RiskChanged,
    MigrationPlanRequested,
    MigrationPlanCreated,
    MigrationPlanConfigured,
    MigrationItemConfigured,
    MigrationReplacementChosen,
    MigrationChecklistUpdated,
    MigrationItemStatusChanged,
    MigrationPlanWithdrawn,
    MigrationPlanScheduled,
    ImportReported,
    ImportCandidatesListed,
    WatchlistSaved,
    AlertRaised,
    AlertAcknowledged,
)


def _typed_envelope(payload: type[Payload]) -> type[EventEnvelope]:
    """The envelope of one event type: its `event_type` and `schema_version` are constants."""
    name = payload.__name__ + "Event"
    return create_model(
        name,
        __base__=EventEnvelope,
        __doc__=f"Envelope of a `{payload.event_type}` event. {payload.__doc__ or ''}".strip(),
        event_type=(Literal[payload.event_type], ...),  # type: ignore[arg-type]
        schema_version=(Annotated[Literal[SCHEMA_VERSION], SchemaVersion], ...),  # type: ignore[arg-type]
        payload=(payload, ...),
    )


ENVELOPES: dict[str, type[EventEnvelope]] = {p.event_type: _typed_envelope(p) for p in PAYLOADS}
EVENT_TYPES: tuple[str, ...] = tuple(ENVELOPES)
# What the services say (announcements, risk moves, plans), each type by the one service that
# owns it, named by the `source` its events carry: only that service may write it; from a
# producer, the API or another service, one would be a forgery (ingest/admission.py).
EMITTED_BY: dict[str, str] = {
    EligibilityChanged.event_type: "vendorwatch.registry",
    RiskChanged.event_type: "vendorwatch.risk",
    MigrationPlanCreated.event_type: "vendorwatch.migration",
    MigrationPlanScheduled.event_type: "vendorwatch.migration",
    AlertRaised.event_type: "vendorwatch.alerts",
}
EMITTED_TYPES: frozenset[str] = frozenset(EMITTED_BY)
# What producers and the API may submit: everything else.
INPUT_TYPES: frozenset[str] = frozenset(EVENT_TYPES) - EMITTED_TYPES


def new_event(
    payload: Payload, *, vendor_id: str, source: str, occurred_at: dt.datetime
) -> EventEnvelope:
    """A new event (fresh id) around a payload a service emits."""
    return ENVELOPES[payload.event_type](
        event_id=uuid.uuid4(),
        event_type=payload.event_type,
        schema_version=SCHEMA_VERSION,
        occurred_at=occurred_at,
        source=source,
        vendor_id=vendor_id,
        payload=payload,
    )


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an event, at a field path (`payload.ends_on`, `vendor_id`);
    `code`, when the problem has one, names it for a client to say in its user's language
    (pydantic's error type, `greater_than_equal`, or a rule's, `starts_before_decision`)."""

    field: str
    message: str
    code: str | None = dataclasses.field(default=None, compare=False)


class EventRejected(ValueError):
    """Raw input that is not a valid event; `reason` is meant for the person who sent it,
    `problems` for a form that shows each next to its field."""

    def __init__(self, reason: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.problems = problems or (Problem("event", reason),)


class _Header(BaseModel):
    """Just enough of the envelope to pick the model; everything else is checked after."""

    model_config = ConfigDict(extra="ignore", strict=True)

    event_type: str


# A model-level rule names its field first ("ends_on: … is before starts_on …").
# Errors of these types are a rule's words without a code of their own.
_UNCODED = frozenset({"value_error", "assertion_error"})
_NAMED_FIELD = re.compile(r"^([a-z_][a-z0-9_]*)(?:, [a-z_][a-z0-9_]*)*: (.+)$", re.DOTALL)


def validation_problems(error: ValidationError) -> tuple[Problem, ...]:
    problems = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"])
        message = in_words(item)
        named = _NAMED_FIELD.match(message)
        if named:
            where = f"{where}.{named.group(1)}" if where else named.group(1)
            message = named.group(2)
        code = None if item["type"] in _UNCODED else item["type"]
        problems.append(Problem(where or "event", message, code))
    return tuple(problems)


def describe_validation_error(error: ValidationError) -> str:
    """One readable line per problem: `payload.months: Input should be greater than 0`."""
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"]) or "event"
        parts.append(f"{where}: {in_words(item)}")
    return "; ".join(parts)


# The largest event, in bytes of JSON: Kafka's default message limit (1 MiB, less room for
# the key and the record's framing). The catalog's largest real events are a few kilobytes;
# refusing bigger ones at the door keeps both modes alike and spares parsing them.
MAX_EVENT_BYTES = 1_000_000


def size_problem(raw: bytes | str, *, as_stored: bool = False) -> str | None:
    """Why `raw` is too large to be an event, or None (`as_stored`: `raw` is the canonical
    JSON the event would be stored as, not what was sent)."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode(errors="surrogatepass"))
    if size <= MAX_EVENT_BYTES:
        return None
    written = (
        " as stored (numbers and times written in full, defaults filled in)" if as_stored else ""
    )
    return f"event: {size:,} bytes of JSON{written}; an event may have at most {MAX_EVENT_BYTES:,}"


# A Kafka record may carry no value at all (a tombstone, in a compacted topic's terms).
NO_VALUE = "event: the record has no value (a tombstone); an event is one JSON object"


def parse_event(raw: bytes | str | None) -> EventEnvelope:
    """Validates one JSON event against the catalog, or raises `EventRejected` saying why
    (None: a Kafka record without a value)."""
    if raw is None:
        raise EventRejected(NO_VALUE, (Problem("event", NO_VALUE, "no_value"),))
    too_large = size_problem(raw)
    if too_large is not None:
        raise EventRejected(too_large, (Problem("event", too_large, "too_large"),))
    return parse_stored(raw)


def parse_stored(raw: bytes | str) -> EventEnvelope:
    """`parse_event` for an event read back from the store, without the size check: its
    canonical JSON was checked when it was stored, and PostgreSQL's jsonb gives it back with
    a space after every colon and comma, which takes an event near the limit past it."""
    try:
        header = _Header.model_validate_json(raw)
    except ValidationError as error:
        kinds = {item["type"] for item in error.errors()}
        if "json_invalid" in kinds or "model_type" in kinds:
            said = f"not a JSON object: {describe_validation_error(error)}"
            raise EventRejected(said, (Problem("event", said, "dict_type"),)) from None
        raise EventRejected(describe_validation_error(error), validation_problems(error)) from None
    envelope = ENVELOPES.get(header.event_type)
    if envelope is None:
        # The type as sent is quoted, but not at any length.
        sent = header.event_type if len(header.event_type) <= 80 else header.event_type[:80] + "…"
        message = f"unknown event type {sent!r}; known types are {', '.join(EVENT_TYPES)}"
        unknown = Problem("event_type", message, "unknown_event_type")
        raise EventRejected(f"event_type: {message}", (unknown,))
    try:
        return envelope.model_validate_json(raw)
    except ValidationError as error:
        raise EventRejected(describe_validation_error(error), validation_problems(error)) from None


def said(raw: bytes) -> tuple[uuid.UUID | None, str | None]:
    """The id and the type an input that is no valid event gives, where they are readable
    (a UUID, a type of the catalog): its dead letter then answers `eventStatus` for that id,
    as the letter of an event read whole does, rather than the event seeming never sent.
    Read by pydantic's parser, which bounds the nesting it follows: any input at all, however
    deep, is answered (None, None) at worst, never with an exception that would stall ingest
    or a consumer."""
    given = _read_said(raw)
    if given is None:
        return None, None
    try:
        said_id = uuid.UUID(given.event_id) if isinstance(given.event_id, str) else None
    except ValueError:
        said_id = None
    event_type = given.event_type if given.event_type in EVENT_TYPES else None
    return said_id, event_type


def claims_recorded_by(raw: bytes) -> bool:
    """Whether an input that is no valid event gives a `recorded_by` (anything but null),
    whole or not: a producer's claim is refused as one, not for the fields it lacks."""
    given = _read_said(raw)
    return given is not None and given.recorded_by is not None


def _read_said(raw: bytes) -> _Said | None:
    try:
        return _Said.model_validate_json(raw)
    except ValidationError:
        return None


class _Said(BaseModel):
    """The fields `said` and `claims_recorded_by` read, whatever their types, the others
    ignored."""

    model_config = ConfigDict(extra="ignore")

    event_id: Any = None
    event_type: Any = None
    recorded_by: Any = None
