"""One typed mutation per event a person records (registerVendor, imposeSanction, …).

Their input types are generated from the payload models (event_inputs.py), so the form a client
builds is the event contract itself and cannot drift from it. Each mutation
validates exactly as ingest will and answers with an EventReceipt: the event id, or the field
errors with nothing written.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
from collections.abc import Callable
from typing import Annotated, Any

import strawberry

from services.events.base import Payload
from services.events.catalog import Problem
from services.events.sanction import PERIOD_FIELDS
from services.events.vendor import VendorRegistered
from services.gateway.recording.event_inputs import camel_case, doc_for_clients, input_type
from services.gateway.recording.recorded_events import RECORDED_BY_PEOPLE
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import WAIT, IdempotencyKey
from services.platform.graphql.receipts import EventReceipt, new_envelope, refused, submit
from services.platform.security.access import agencies_in_view
from services.registry.reads.record_scope import out_of_view


def _with_period(fields: dict[str, Any]) -> Problem | None:
    """The payload's fields with a `period` given as its one period field; the problem when
    it is given with the deprecated fields too, or says `indefinite: false`."""
    period = fields.pop("period", None)
    if period is None:
        return None
    given = {k: v for k, v in period.items() if v is not strawberry.UNSET and v is not None}
    if any(
        fields.get(name) is not None and fields.get(name) is not False for name in PERIOD_FIELDS
    ):
        return Problem(
            "payload.period",
            "give it alone, not with the deprecated durationMonths, durationDays, endsOn or"
            " indefinite",
            "period_given_twice",
        )
    if given == {"indefinite": False}:
        return Problem(
            "payload.period.indefinite",
            "only true gives a period (no end until lifted); give durationMonths, durationDays"
            " or endsOn otherwise",
            "not_a_period",
        )
    fields.update(given)
    return None


# A period field's errors, as a client that gave `period` knows the field.
_UNDER_PERIOD = {
    f"payload.{camel_case(n)}": f"payload.period.{camel_case(n)}" for n in PERIOD_FIELDS
}


def _errors_under_period(receipt: EventReceipt) -> EventReceipt:
    for error in receipt.errors:
        error.field = _UNDER_PERIOD.get(error.field, error.field)
    return receipt


def _period_named(receipt: EventReceipt) -> EventReceipt:
    """A sanction given no period, or two ways, is the period's problem, in the names the
    client writes (`durationMonths`): the contract tells it at the whole payload, in its own
    (`duration_months`)."""
    for error in receipt.errors:
        if error.code == "period_not_one_way":
            error.field = "payload.period"
            for name in PERIOD_FIELDS:
                error.message = error.message.replace(name, camel_case(name))
            error.message = error.message.replace("indefinite=true", "indefinite: true")
    return receipt


def plain(value: Any) -> Any:
    """A generated input's value in the event's JSON form (snake_case keys, ISO dates)."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return {name: plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


def _resolver(kind: type[Payload]) -> Callable[..., Any]:
    async def record(
        self: object,
        info: Info,
        vendor_id: strawberry.ID,
        payload: Any,
        wait_for_processing: bool = False,
        idempotency_key: str | None = None,
    ) -> EventReceipt:
        fields = plain(payload)
        by_period = fields.get("period") is not None
        if (problem := _with_period(fields)) is not None:
            return refused(kind.event_type, str(vendor_id), (problem,), camel=True)
        agencies = agencies_in_view(info.context.principal)
        unseen: tuple[Problem, ...] = ()
        if agencies is not None:
            # The records it names by id (a contract to amend, a subcontract to approve)
            # must be of the caller's agencies, like an agency it names outright; the
            # event's other problems are told beside them.
            async with info.context.pool.acquire() as conn:
                unseen = await out_of_view(conn, agencies, kind.event_type, str(vendor_id), fields)
        envelope = new_envelope(info, kind.event_type, str(vendor_id), fields)
        receipt = await submit(
            info, envelope, wait=wait_for_processing, key=idempotency_key, forbidden=unseen
        )
        return _period_named(_errors_under_period(receipt) if by_period else receipt)

    # Built at run time, so the annotations are objects, not names strawberry would look up.
    vendor = (
        "Id of the new vendor, chosen by the caller (letters, digits and . _ : -, up to 128"
        " characters); later events about the vendor name it."
        if kind is VendorRegistered
        else "The vendor the event is about, by its id in the registry."
    )
    record.__annotations__ = {
        "info": Info,
        "vendor_id": Annotated[strawberry.ID, strawberry.argument(description=vendor)],
        "payload": Annotated[
            input_type(kind),
            strawberry.argument(description=f"What the `{kind.event_type}` event records."),
        ],
        "wait_for_processing": Annotated[bool, strawberry.argument(description=WAIT)],
        "idempotency_key": IdempotencyKey,
        "return": EventReceipt,
    }
    return record


def _event_mutation_type() -> type:
    fields = {
        name: strawberry.mutation(
            _resolver(kind),
            name=name,
            description=f"Records `{kind.event_type}`: {doc_for_clients(kind)}"
            + " Answers with the event id, or the field errors (nothing written);"
            " waitForProcessing also waits for the services' effect.",
        )
        for name, kind in RECORDED_BY_PEOPLE.items()
    }
    return strawberry.type(types.new_class("EventMutation", exec_body=lambda ns: ns.update(fields)))


EventMutation = _event_mutation_type()
