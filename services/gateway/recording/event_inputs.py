"""The GraphQL input types of the events people record, generated from the payload models:
the form a client builds is the event contract itself (descriptions, enums, defaults), the
gaps in its descriptions filled in the API's words, its identifiers IDs, its amounts of money
`Amount`s, a sanction's period also as one @oneOf `period`."""

from __future__ import annotations

import datetime as dt
import inspect
import re
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any

import strawberry
from annotated_types import Le
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from strawberry.experimental.pydantic import input as pydantic_input

from services.events.base import Identifier
from services.events.compliance import AuditOutcome
from services.events.contract import MAX_AMOUNT
from services.events.contract import Amount as AmountField
from services.events.sanction import (
    PERIOD_FIELDS,
    SanctionAmended,
    SanctionImposed,
    SanctionScope,
)
from services.events.vendor import (
    AffiliationChange,
    AffiliationRelation,
    ClearableVendorField,
)
from services.gateway.recording.recorded_events import RECORDED_BY_PEOPLE
from services.gateway.scalars import Amount
from services.platform.graphql.descriptions import described_enum

_INPUTS: dict[type[BaseModel], type] = {}

# The enums only the event inputs use (those the records also show are described with them).
described_enum(
    ClearableVendorField,
    name="ClearableVendorField",
    description="A vendor field that `updateVendor` can make empty (through `clear`).",
    values={
        "NAME_KANA": "The reading of the legal name in katakana (`nameKana`).",
        "NAME_EN": "The English name (`nameEn`).",
        "COUNTRY": "The country of registration (`country`).",
    },
)
described_enum(
    AffiliationRelation,
    name="AffiliationRelation",
    description="What the related vendor is to the vendor the event is about.",
    values={
        "PARENT": "The related vendor owns (part of) this vendor.",
        "SUBSIDIARY": "This vendor owns (part of) the related vendor.",
    },
)
described_enum(
    AffiliationChange,
    name="AffiliationChange",
    description="Whether an affiliation between two vendors starts or ends.",
    values={
        "ADDED": "The relation starts (on `effectiveOn`).",
        "REMOVED": "The relation ends (on `effectiveOn`).",
    },
)
described_enum(
    SanctionScope,
    name="SanctionScope",
    description="One of the two ways a sanction's reach can be restricted (and, in"
    " `amendSanction`'s `coverAll`, lifted again).",
    values={
        "AGENCIES": "The restriction to some agencies (`agencies`).",
        "CATEGORIES": "The restriction to some procurement categories (`categories`).",
    },
)
described_enum(
    AuditOutcome,
    name="AuditOutcome",
    description="What an audit concluded.",
    values={
        "PASSED": "Nothing to report.",
        "FINDINGS": "Passed with findings the vendor must address (listed in `findings`).",
        "FAILED": "The vendor failed the audit (findings listed in `findings`).",
    },
)

_ID = " (letters, digits and . _ : -, up to 128 characters)"

# Descriptions for the payload fields the event contract leaves undescribed, in the words of
# the API: first by (payload, field), then by field name alone. The contract's own
# descriptions are kept; these only fill the gaps.
_FIELD_HELP_OF: Mapping[tuple[str, str], str] = {
    ("VendorUpdated", "clear"): "Fields that become empty (NAME_KANA, NAME_EN, COUNTRY);"
    " a field both given and cleared is refused.",
    ("ContractAwarded", "contract_id"): "Id of the new contract, chosen by the caller"
    + _ID
    + "; later events about the contract name it.",
    ("ContractAwarded", "criticality"): "How much harm an interruption of the contract does;"
    " it orders migrations away from the vendor.",
    ("ContractAmended", "reason"): "Why the term or amount changes, in words.",
    ("ContractTerminated", "reason"): "Why the contract ends (with `note` when OTHER).",
    ("ContractTerminated", "note"): "What the reason is, in words; required when `reason` is"
    " OTHER.",
    ("SanctionAmended", "cover_all"): "Restrictions to lift (AGENCIES and/or CATEGORIES): the"
    " sanction then applies to every agency or category.",
    ("AuditCompleted", "findings"): "What the audit found; required unless `outcome` is PASSED.",
    ("SubcontractRequested", "subcontract_id"): "Id of the new subcontract, chosen by the"
    " caller" + _ID + ".",
    ("SubcontractRequested", "contract_id"): "The vendor's contract whose work is subcontracted.",
    ("SubcontractRejected", "reason"): "Why the agency refuses it, in words.",
    ("IncidentReported", "incident_id"): "Id of the new incident, chosen by the caller" + _ID + ".",
    ("IncidentReported", "kind"): "What happened.",
    ("IncidentReported", "severity"): "How serious it is, as the reporting agency judges it;"
    " it weighs in the vendor's risk score.",
    ("IncidentReported", "description"): "What happened, in words.",
    ("IncidentInvestigated", "unapproved_subcontracting_found"): "Whether work had been"
    " subcontracted without the agency's approval.",
    ("IncidentInvestigated", "summary"): "The investigation's findings, in words.",
    ("IncidentClosed", "closed_on"): "Day the incident was closed.",
    ("IncidentClosed", "resolution"): "How it was resolved, in words.",
    ("SanctionImposed", "sanction_id"): "Id of the new sanction, chosen by the caller" + _ID + ".",
    ("SanctionImposed", "kind"): "Bid suspension and debarment bar the vendor from bidding;"
    " a warning does not.",
    ("SanctionImposed", "decided_on"): "Day the authority decided it.",
    ("SanctionImposed", "reason"): "The authority's stated reason, in words; null when none"
    " is recorded.",
    ("SanctionAmended", "reason"): "Why the sanction changes, in words.",
    ("SanctionLifted", "reason"): "Why the sanction is lifted, in words.",
    ("ClaimFiled", "claim_id"): "Id of the new claim, chosen by the caller" + _ID + ".",
    ("ClaimFiled", "filed_on"): "Day the claim was filed.",
    ("ClaimFiled", "description"): "What damages are claimed, and why, in words.",
    ("ClaimSettled", "settled_on"): "Day the claim was settled.",
    ("CertificateSubmitted", "certificate_id"): "Id of the new certificate, chosen by the"
    " caller" + _ID + ".",
    ("CertificateSubmitted", "kind"): "What the certificate proves.",
    ("CertificateSubmitted", "contract_id"): "The contract the certificate is for.",
    ("CertificateSubmitted", "submitted_on"): "Day the vendor submitted it.",
    ("AuditCompleted", "audit_id"): "Id of the audit, chosen by the caller" + _ID + ".",
    ("AuditCompleted", "completed_on"): "Day the audit was completed.",
    ("AuditCompleted", "outcome"): "What the audit concluded.",
}
_FIELD_HELP: Mapping[str, str] = {
    "contract_id": "The contract, by the id it was awarded under.",
    "subcontract_id": "The subcontract, by the id it was requested under.",
    "incident_id": "The incident, by the id it was reported under.",
    "sanction_id": "The sanction, by the id it was imposed under.",
    "claim_id": "The claim, by the id it was filed under.",
    "awarded_on": "Day the agency awarded the contract.",
    "requested_on": "Day the vendor asked for approval.",
    "approved_on": "Day the agency approved it.",
    "rejected_on": "Day the agency refused it.",
}


def camel_case(name: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name)


def _for_clients(text: str, names: typing.Collection[str]) -> str:
    """A contract description as GraphQL clients read it: its payload fields (`names`) as
    they send them (camelCase), without the Python-only remarks."""
    text = re.sub(r"\s*`changes\(\)` returns exactly what changes\.", "", text)
    return re.sub(
        r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+",
        lambda m: camel_case(m.group(0)) if m.group(0) in names else m.group(0),
        text,
    )


def _payload_fields() -> set[str]:
    """Every field name of the payloads recorded through these mutations (and their parts)."""
    models: list[type[BaseModel]] = list(RECORDED_BY_PEOPLE.values())
    for model in list(models):
        for info in model.model_fields.values():
            models.extend(_nested_models(info.annotation))
    return {name for model in models for name in model.model_fields}


def doc_for_clients(model: type[BaseModel]) -> str:
    """A payload's docstring as its GraphQL description: paragraphs kept, their lines joined
    (the SDL and GraphiQL wrap them), in the names clients send."""
    doc = re.sub(r"(?<!\n)\n(?!\n)", " ", inspect.cleandoc(model.__doc__ or ""))
    return _for_clients(doc, _payload_fields())


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _nested_models(arg)]


# The contract's identifiers (ids of vendors, contracts, sanctions…) are GraphQL IDs in the
# inputs, as in every output and argument that names an object by id.
_IDENTIFIER = typing.get_args(Identifier)[1]


def _ids_as_id(annotation: Any) -> Any:
    """`annotation` with each contract identifier in it (alone, optional or listed) an ID."""
    if typing.get_origin(annotation) is Annotated and _IDENTIFIER in annotation.__metadata__:
        return strawberry.ID
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        converted = [_ids_as_id(a) for a in args]
        return typing.Union[tuple(converted)] if converted != list(args) else annotation  # noqa: UP007
    if typing.get_origin(annotation) is list:
        item = _ids_as_id(args[0])
        return list[item] if item is not args[0] else annotation  # type: ignore[valid-type]
    return annotation


def _is_amount(info: FieldInfo) -> bool:
    """Whether the field is an amount of money (the contract's `Amount`, or one left out)."""
    return Le(MAX_AMOUNT) in info.metadata or AmountField in typing.get_args(info.annotation)


def _retyped_fields(model: type[BaseModel]) -> dict[str, Any]:
    """The payload fields typed otherwise than strawberry would: contract identifiers as IDs,
    amounts of money as `Amount` (an Int stops at 2,147,483,647 yen)."""
    found: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if _is_amount(info):
            found[name] = Amount if info.is_required() else Amount | None
        elif _IDENTIFIER in info.metadata:
            found[name] = strawberry.ID if info.is_required() else strawberry.ID | None
        elif (converted := _ids_as_id(info.annotation)) is not info.annotation:
            found[name] = converted
    return found


@strawberry.input(
    one_of=True,
    description="How long a sanction lasts, given in exactly one way (the others left out).",
)
class SanctionPeriodInput:
    duration_months: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="Length in calendar months, counted by the Civil Code (arts. 140–143) from"
        " `startsOn`: 1–600.",
    )
    duration_days: int | None = strawberry.field(
        default=strawberry.UNSET, description="Length in days, `startsOn` being day 1: 1–36500."
    )
    ends_on: dt.date | None = strawberry.field(
        default=strawberry.UNSET, description="Last day the sanction applies (inclusive)."
    )
    indefinite: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="true: no end until lifted (false names no period, and is refused).",
    )


# Payloads whose period fields the input also takes as one `period` (@oneOf), the fields
# themselves deprecated in its favour; the help for `period` in each.
_PERIODS: Mapping[type[BaseModel], str] = {
    SanctionImposed: "How long the sanction lasts, in exactly one way. Required, unless a"
    " deprecated period field is given instead.",
    SanctionAmended: "The new period, in exactly one way (counted from the sanction's"
    " `startsOn`); leave it out to keep the period.",
}
_PERIOD_DEPRECATED = "give `period` instead (`period: {{{0}}}`)."


def input_type(model: type[BaseModel]) -> type:
    """The GraphQL input type of a payload model (nested models first, once each), described
    in the contract's words (with the client's names), gaps filled from _FIELD_HELP; its
    identifiers IDs, its amounts `Amount`s; a sanction's period also as one @oneOf `period`."""
    if model not in _INPUTS:
        for info in model.model_fields.values():
            for nested in _nested_models(info.annotation):
                input_type(nested)
        name = model.__name__.removesuffix("Ref") + "Input"
        names = _payload_fields()
        doc = doc_for_clients(model)
        if isinstance(event_type := getattr(model, "event_type", None), str):
            doc = f"The payload of the event `{event_type}`. {doc}"
        namespace: dict[str, Any] = {"__annotations__": _retyped_fields(model)}
        if model in _PERIODS:
            namespace["__annotations__"]["period"] = SanctionPeriodInput | None
            namespace["period"] = strawberry.field(default=None, description=_PERIODS[model])
        shell = types.new_class(name, exec_body=lambda ns: ns.update(namespace))
        shell.__doc__ = model.__doc__
        generated = pydantic_input(model=model, all_fields=True, name=name, description=doc)
        _INPUTS[model] = generated(shell)
        for field in _INPUTS[model].__strawberry_definition__.fields:  # type: ignore[attr-defined]
            key = field.python_name
            if key == "period":
                continue
            help_ = _FIELD_HELP_OF.get((model.__name__, key)) or field.description
            field.description = _for_clients(help_ or _FIELD_HELP[key], names)
            if model in _PERIODS and key in PERIOD_FIELDS:
                value = "true" if key == "indefinite" else "…"
                field.deprecation_reason = _PERIOD_DEPRECATED.format(f"{camel_case(key)}: {value}")
    return _INPUTS[model]
