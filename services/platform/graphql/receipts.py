"""How every mutation answers: a receipt with the event's id when the log took it, or the
input problems field by field (nothing written); on request, whether the services applied it.

Every event a person records goes through `record`: validated exactly as ingest will, held to
the services' own rules (`RequestContext.checks`, and `reading_checks` for those that read
their records), stamped with who recorded it (from the verified token, never from the
input), then appended to the log like any producer's event.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import strawberry

from services.events.base import API_SOURCE, RecordedBy
from services.events.catalog import (
    SCHEMA_VERSION,
    EventRejected,
    Problem,
    parse_event,
    size_problem,
)
from services.platform.eventlog.base import Writer
from services.platform.eventstore import event_store
from services.platform.graphql import held_events, lone_surrogates, receipt_turns
from services.platform.graphql.context import Info
from services.platform.graphql.processing import WAIT_SECONDS, EventStatus, wait_for_processing
from services.platform.security.auth import Principal

# The namespace of the event ids that idempotency keys name (`keyed_event_id`).
_KEYED = uuid.UUID("5f0b7d0e-3c1a-5a53-9d4e-7a1f2c6b8e90")
_KEY_LENGTH = 200


class FieldProblem(Exception):
    """An input problem that leaves nothing more to check, found before the event could be
    built (a plan that does not exist: no item of it, no replacement to judge for it);
    `field` is the argument's name in the mutation, `code` names the problem for clients that
    say it in their user's language."""

    def __init__(self, field: str, message: str, code: str | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.problem = Problem(field, message, code)


# A payload field's path (camelCase, `phaseMonths`) → the mutation's argument it was given in.
ArgumentOf = Callable[[str], str]


def as_named(path: str) -> str:
    """The payload's fields are the mutation's arguments of the same names."""
    return path


def nested_in(argument: str, *own: str) -> ArgumentOf:
    """The payload's fields were given in the input object `argument` (`settings`), but for
    `own`, arguments of their own (`planId`)."""

    def of(path: str) -> str:
        if not path:  # the whole payload: the input object's problem
            return argument
        return path if path.split(".", 1)[0] in own else f"{argument}.{path}"

    return of


def renamed(names: Mapping[str, str]) -> ArgumentOf:
    """The payload's fields are the mutation's arguments, some under other `names`
    (`replacementVendorId` given as `vendorId`)."""

    def of(path: str) -> str:
        head, dot, rest = path.partition(".")
        return names.get(head, head) + dot + rest

    return of


@dataclass(frozen=True)
class Draft:
    """What a typed mutation built from its input: the event's vendor and payload (in its JSON
    form), and the problems it found that still let it be built (a replacement that may not
    bid, a day still to come: None for a check that passed). The receipt lists them with the
    event's own problems, so that a form shows every one at once, not one per attempt.
    `argument`: which of the mutation's arguments each payload field was given in, so that
    the event's problems are named as the client knows its input."""

    vendor_id: str
    payload: dict[str, Any]
    problems: Sequence[Problem | None] = ()
    argument: ArgumentOf = as_named


@strawberry.type(description="One input problem, for the form field it belongs to.")
class FieldError:
    field: str = strawberry.field(
        description="Path of the input, as the mutation names it: `payload.endsOn`, `vendorId`."
    )
    message: str = strawberry.field(description="What is wrong with it, in words (English).")
    code: str | None = strawberry.field(
        default=None,
        description="What is wrong, as a stable code for a client to say in its user's"
        " language (the message gives the details): a rule's, e.g. `starts_before_decision`,"
        " `reported_before_occurred`, `no_change`, `outside_policy`, `authority_spelling` (a"
        " policy's authority written otherwise), `lifted_already`, `not_eligible`,"
        " `checklist_incomplete`, `in_the_future`, `unknown_contract`, `control_character` (a"
        " line break or another control character in a one-line text, a control character"
        " other than a line break or a tab in a reason or a note), `format_character` (an"
        " invisible format character, such as a bidi override, in any text), `emitted_only` (a type"
        " only VendorWatch's services emit), or the contract's check's,"
        " e.g. `greater_than_equal`, `string_pattern_mismatch`, `missing`; null when the"
        " problem has none.",
    )


@strawberry.type(
    description="What became of a recorded event: accepted into the log (with its id) or"
    " refused with field errors, nothing written. With waitForProcessing, `processing` says"
    " which services applied it (or refused it, with the reason)."
)
class EventReceipt:
    accepted: bool = strawberry.field(
        description="True when the log took the event; false when it was refused (see"
        " `errors`) and nothing was written."
    )
    event_id: strawberry.ID | None = strawberry.field(
        description="The event's id (a UUID), to follow it with `eventStatus`; null when refused."
    )
    event_type: str = strawberry.field(
        description="The event's type, e.g. vendor.registered (`unknown` when the input named"
        " none as text)."
    )
    vendor_id: strawberry.ID | None = strawberry.field(
        description="The vendor the event is about; null when the input did not get as far as"
        " naming one."
    )
    errors: list[FieldError] = strawberry.field(
        description="Every problem with the input, by field; empty when accepted."
    )
    processing: EventStatus | None = strawberry.field(
        default=None,
        description="With waitForProcessing: what the services did with it (as `eventStatus`"
        " answers); null without it, or when refused.",
    )
    processing_timed_out: bool = strawberry.field(
        default=False,
        description=f"With waitForProcessing: true when the wait ({WAIT_SECONDS:g} s) ran out"
        " before the event had had all its effects: `processing.pending` names what it still"
        " waits for (INGEST: the log does not hold it yet); follow it with `eventStatus`."
        " False otherwise.",
    )


def _camel(path: str) -> str:
    """`payload.ends_on` → `payload.endsOn`: the names a GraphQL form knows."""
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), path)


def refused(
    event_type: str, vendor_id: str | None, problems: tuple[Problem, ...], camel: bool
) -> EventReceipt:
    return EventReceipt(
        accepted=False,
        event_id=None,
        event_type=event_type,
        vendor_id=strawberry.ID(vendor_id) if vendor_id else None,
        errors=[
            FieldError(field=_camel(p.field) if camel else p.field, message=p.message, code=p.code)
            for p in problems
        ],
    )


def recorded_by(info: Info) -> dict[str, Any] | None:
    principal = info.context.principal
    if principal is None:
        return None
    return RecordedBy(
        subject=principal.subject,
        role=principal.role.value,
        agencies=list(principal.agencies),
        client=info.context.client,
    ).model_dump(mode="json")


def keyed_event_id(principal: Principal | None, key: str) -> uuid.UUID:
    """The id of the event a caller records under an idempotency key: the same for every
    request of the same caller with that key, another for another caller's, so that a retry
    names the event its first attempt recorded. A caller is the token's subject, and, when
    the token names agencies, its role and agencies too: two system owners of different
    agencies given one subject (as `vendorwatch token create` gave every system owner) must
    not share keys, or one would be answered with, or told of, the other agency's events.
    A token naming no agency keeps the id it had, so a retry across an upgrade is one event."""
    if principal is None:
        return uuid.uuid5(_KEYED, f"\n{key}")
    caller = principal.subject
    if principal.agencies:
        agencies = "\x1f".join(sorted(principal.agencies))
        caller = f"{caller}\x1e{principal.role.value}\x1e{agencies}"
    return uuid.uuid5(_KEYED, f"{caller}\n{key}")


def _key_problem(key: str) -> Problem | None:
    if not key:
        return Problem("idempotencyKey", "give at least 1 character", "string_too_short")
    if len(key) > _KEY_LENGTH:
        return Problem(
            "idempotencyKey", f"give at most {_KEY_LENGTH} characters", "string_too_long"
        )
    if not key.isprintable():
        return Problem(
            "idempotencyKey", "give printable characters only", "string_pattern_mismatch"
        )
    return None


async def submit(
    info: Info,
    envelope: dict[str, Any],
    *,
    wait: bool,
    camel: bool = True,
    found: tuple[Problem, ...] = (),
    key: str | None = None,
    forbidden: tuple[Problem, ...] = (),
) -> EventReceipt:
    """Validates the event as ingest will and holds it to every one of the services' checks;
    refuses it with all their problems, after those the mutation `found` in its input, or
    appends it. With an idempotency `key`, the event's id is the one the key names for the
    caller: sent again, the event the log holds under it is the answer, and nothing is
    appended twice, even while the first attempt is still on its way to the log.
    `forbidden`: what the caller may not do (another agency's records), told first and never
    answered by an event held under the id: a replay is no way past the agency check."""
    found = (*forbidden, *found)
    event_type = _named(envelope.get("event_type")) or "unknown"
    vendor_id = _named(envelope.get("vendor_id"))

    def refuse(*problems: Problem) -> EventReceipt:
        return refused(event_type, vendor_id, (*found, *problems), camel)

    if key is not None:
        if (bad_key := _key_problem(key)) is not None:
            return refuse(bad_key)
        envelope = {**envelope, "event_id": str(keyed_event_id(info.context.principal, key))}
    if surrogates := lone_surrogates.find(envelope):
        return refuse(*surrogates)
    types = tuple(p for check in info.context.type_checks if (p := check(event_type)) is not None)
    if types:
        return refuse(*types)
    envelope = {**envelope, "recorded_by": recorded_by(info)}
    raw = json.dumps(envelope, ensure_ascii=False, default=str).encode()
    try:
        event = parse_event(raw)
    except EventRejected as rejection:
        return refuse(*rejection.problems)
    async with receipt_turns.one_at_a_time(event.event_id if key is not None else None):
        # Sent again, from wherever: the log has it, and says so once, whatever the services
        # would say of it now (a registration retried once applied is not a second one); not
        # what the caller may not do, refused before anything held is looked up.
        kept = await held_events.held(info.context.pool, event) if not forbidden else None
        if kept is not None:
            if not held_events.same_event(kept, event):
                if key is not None:
                    return refuse(held_events.reused_key(kept))
                return refuse(held_events.reused(kept, event))
        else:
            checks = info.context.checks
            problems = tuple(p for check in checks if (p := check(event)) is not None)
            for reading in info.context.reading_checks:
                if (problem := await reading(info.context.pool, event)) is not None:
                    problems += (problem,)
            claims = info.context.claim_checks
            async with receipt_turns.claiming(info.context.pool, claims, event) as claimed:
                problems += claimed
                if found or problems:
                    return refuse(*problems)
                # The log's own refusal, of an event nothing else is wrong with.
                stored = event_store.canonical_json(event)
                if (too_long := size_problem(stored, as_stored=True)) is not None:
                    return refuse(Problem("event", too_long, "too_large"))
                await info.context.event_log.submit([raw], Writer.API)
    processing, timed_out = None, False
    if wait:
        processing, timed_out = await wait_for_processing(
            info.context.pool, event.event_id, event.event_type, info.context.handled_by
        )
    return EventReceipt(
        accepted=True,
        event_id=strawberry.ID(str(event.event_id)),
        event_type=event.event_type,
        vendor_id=strawberry.ID(event.vendor_id),
        errors=[],
        processing=processing,
        processing_timed_out=timed_out,
    )


def _named(value: Any) -> str | None:
    """What the input gives for an envelope's text field, printable; None when it gives no
    text there (a number, an object: not a name to echo in the receipt)."""
    return lone_surrogates.printable(value) if isinstance(value, str) and value else None


def new_envelope(info: Info, event_type: str, vendor_id: str, payload: Any) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "schema_version": SCHEMA_VERSION,
        "occurred_at": dt.datetime.now(info.context.settings.timezone).isoformat(),
        "source": API_SOURCE,
        "vendor_id": vendor_id,
        "payload": payload,
    }


async def record(
    info: Info,
    event_type: str,
    build: Callable[[], Awaitable[Draft]],
    *,
    wait: bool = False,
    key: str | None = None,
) -> EventReceipt:
    """An event a person records through a typed mutation. `build` checks what it can first
    and returns the draft with the problems it found, or raises FieldProblem when nothing
    more can be checked. A draft is validated and checked as any event, so that its receipt
    lists the contract's and the services' problems beside the build's. A build's problems
    are named as the mutation's arguments are, in camelCase already. `key`: the caller's
    idempotency key (`submit`)."""
    try:
        draft = await build()
    except FieldProblem as stop:
        return refused(event_type, None, (stop.problem,), False)
    envelope = new_envelope(info, event_type, draft.vendor_id, draft.payload)
    found = tuple(p for p in draft.problems if p is not None)
    receipt = await submit(info, envelope, wait=wait, found=found, key=key)
    for error in receipt.errors:
        if error.field == "payload" or error.field.startswith("payload."):
            # The whole payload is no argument's but an input object's: else it stays named so.
            path = error.field.removeprefix("payload").removeprefix(".")
            error.field = draft.argument(path) or error.field
    return receipt
