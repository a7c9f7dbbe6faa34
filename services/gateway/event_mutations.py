"""One typed mutation per event a person records (registerVendor, imposeSanction, …).

Their input types are generated from the payload models, so the form a client builds is the
event contract itself (descriptions, enums, defaults) and cannot drift from it. Each mutation
validates exactly as ingest will and answers with an EventReceipt: the event id, or the field
errors with nothing written.
"""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

import strawberry
from pydantic import BaseModel
from strawberry.experimental.pydantic import input as pydantic_input

from services.events.base import Payload
from services.events.compliance import AuditCompleted, CertificateSubmitted
from services.events.contract import (
    ContractAmended,
    ContractAwarded,
    ContractTerminated,
    SubcontractApproved,
    SubcontractRejected,
    SubcontractRequested,
)
from services.events.incident import IncidentClosed, IncidentInvestigated, IncidentReported
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
from services.platform.access import agencies_in_view
from services.platform.graphql.context import Info
from services.platform.graphql.receipts import EventReceipt, new_envelope, refused, submit
from services.registry.record_scope import out_of_view

# Mutation name → the event it records.
RECORDED_BY_PEOPLE: Mapping[str, type[Payload]] = {
    "registerVendor": VendorRegistered,
    "updateVendor": VendorUpdated,
    "renameVendor": VendorRenamed,
    "changeVendorAffiliation": VendorAffiliationChanged,
    "awardContract": ContractAwarded,
    "amendContract": ContractAmended,
    "terminateContract": ContractTerminated,
    "requestSubcontract": SubcontractRequested,
    "approveSubcontract": SubcontractApproved,
    "rejectSubcontract": SubcontractRejected,
    "reportIncident": IncidentReported,
    "investigateIncident": IncidentInvestigated,
    "closeIncident": IncidentClosed,
    "imposeSanction": SanctionImposed,
    "amendSanction": SanctionAmended,
    "liftSanction": SanctionLifted,
    "fileClaim": ClaimFiled,
    "settleClaim": ClaimSettled,
    "submitCertificate": CertificateSubmitted,
    "completeAudit": AuditCompleted,
}

_INPUTS: dict[type[BaseModel], type] = {}


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _nested_models(arg)]


def input_type(model: type[BaseModel]) -> type:
    """The GraphQL input type of a payload model (nested models first, once each)."""
    if model not in _INPUTS:
        for info in model.model_fields.values():
            for nested in _nested_models(info.annotation):
                input_type(nested)
        name = model.__name__.removesuffix("Ref") + "Input"
        shell = types.new_class(name)
        shell.__doc__ = model.__doc__
        _INPUTS[model] = pydantic_input(model=model, all_fields=True, name=name)(shell)
    return _INPUTS[model]


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
    ) -> EventReceipt:
        fields = plain(payload)
        agencies = agencies_in_view(info.context.principal)
        if agencies is not None:
            # The records it names by id (a contract to amend, a subcontract to approve)
            # must be of the caller's agencies, like an agency it names outright.
            async with info.context.pool.acquire() as conn:
                problem = await out_of_view(conn, agencies, kind.event_type, str(vendor_id), fields)
            if problem is not None:
                return refused(kind.event_type, str(vendor_id), (problem,), camel=True)
        envelope = new_envelope(info, kind.event_type, str(vendor_id), fields)
        return await submit(info, envelope, wait=wait_for_processing)

    # Built at run time, so the annotations are objects, not names strawberry would look up.
    record.__annotations__ = {
        "info": Info,
        "vendor_id": strawberry.ID,
        "payload": input_type(kind),
        "wait_for_processing": bool,
        "return": EventReceipt,
    }
    return record


def _event_mutation_type() -> type:
    fields = {
        name: strawberry.mutation(
            _resolver(kind),
            name=name,
            description=f"Records `{kind.event_type}`: {inspect.cleandoc(kind.__doc__ or '')}"
            + " Answers with the event id, or the field errors (nothing written);"
            " waitForProcessing also waits for the services' effect.",
        )
        for name, kind in RECORDED_BY_PEOPLE.items()
    }
    return strawberry.type(types.new_class("EventMutation", exec_body=lambda ns: ns.update(fields)))


EventMutation = _event_mutation_type()
