"""The registry's records as GraphQL nodes: each vendor's contracts, subcontracts, incidents,
claims, certificates and sanctions (each fetched by its key, within the caller's view), and
their making from the repository's records. How they are paged: graphql_record_connections.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import strawberry

from services.events.compliance import CertificateKind
from services.events.contract import Criticality, TerminationReason
from services.events.incident import ControlFailure, IncidentKind, LeakFinding, Severity
from services.events.sanction import SanctionKind
from services.platform.graphql.context import Info
from services.platform.graphql.nodes import Key, Node, in_key_order
from services.platform.security.access import agencies_in_view
from services.registry.api.graphql_record_enums import ClaimState, IncidentState, SubcontractState
from services.registry.storage import record_repository as records
from services.registry.storage import records_by_key
from services.registry.storage.record_repository import (
    ClaimStatus,
    IncidentStatus,
    SubcontractStatus,
)

AMOUNT = (
    "Integer amount in the currency's smallest unit (yen for JPY), as a string: it may"
    " exceed GraphQL's 32-bit Int."
)

Item = TypeVar("Item")


@strawberry.type(description="A contract an agency awarded to a vendor, as amended and ended.")
class Contract(Node):
    contract_id: strawberry.ID = strawberry.field(description="The contract's id.")
    vendor_id: strawberry.ID = strawberry.field(description="The vendor it was awarded to.")
    agency: str = strawberry.field(description="The contracting agency or department.")
    title: str = strawberry.field(description="What the contract is for.")
    category: str = strawberry.field(description="Procurement category, as sanctions scope it.")
    criticality: Criticality = strawberry.field(
        description="How much harm an interruption does; it orders migrations."
    )
    awarded_on: dt.date = strawberry.field(description="Day it was awarded.")
    starts_on: dt.date = strawberry.field(description="First day of the term.")
    ends_on: dt.date = strawberry.field(description="Last day of the term, after amendments.")
    amount: str = strawberry.field(description=AMOUNT)
    currency: str = strawberry.field(description="ISO 4217 currency code of `amount`.")
    terminated_on: dt.date | None = strawberry.field(
        description="Last day in force, once terminated; null while running."
    )
    termination_reason: TerminationReason | None = strawberry.field(
        description="Why it ended; null while running."
    )

    node_key_names = ("contractId",)

    def node_key(self) -> Key:
        return (self.contract_id,)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[Contract | None]:
        async with info.context.pool.acquire() as conn:
            found = await records_by_key.contracts_named(conn, [i for (i,) in keys], in_view(info))
        return in_key_order({(i,): contract(r) for i, r in found.items()}, keys)


@strawberry.type(description="Work of a contract subcontracted (or re-subcontracted).")
class Subcontract(Node):
    subcontract_id: strawberry.ID = strawberry.field(description="The subcontract's id.")
    contract_id: strawberry.ID = strawberry.field(description="The contract whose work it is.")
    vendor_id: strawberry.ID = strawberry.field(description="The prime contractor.")
    subcontractor_vendor_id: strawberry.ID = strawberry.field(
        description="The vendor doing the work."
    )
    parent_subcontract_id: strawberry.ID | None = strawberry.field(
        description="For a re-subcontract, the subcontract it is part of; null for one let by"
        " the prime contractor."
    )
    scope: str = strawberry.field(description="The work subcontracted.")
    requested_on: dt.date = strawberry.field(description="Day approval was asked for.")
    status: SubcontractState = strawberry.field(  # type: ignore[valid-type]
        description="Where it stands with the agency."
    )
    decided_on: dt.date | None = strawberry.field(
        description="Day the agency approved or refused it; null while requested."
    )
    reason: str | None = strawberry.field(description="Why it was rejected.")
    fitness_certificate_ids: list[strawberry.ID] = strawberry.field(
        description="Certificates proving the subcontractor's fitness, named in the approval."
    )

    node_key_names = ("subcontractId",)

    def node_key(self) -> Key:
        return (self.subcontract_id,)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[Subcontract | None]:
        async with info.context.pool.acquire() as conn:
            found = await records_by_key.subcontracts_named(
                conn, [i for (i,) in keys], in_view(info)
            )
        return in_key_order({(i,): subcontract(r) for i, r in found.items()}, keys)


@strawberry.type(description="A breach incident, with its latest findings.")
class Incident(Node):
    incident_id: strawberry.ID = strawberry.field(description="The incident's id.")
    vendor_id: strawberry.ID = strawberry.field(
        description="The vendor responsible (the prime contractor, when a subcontractor caused it)."
    )
    kind: IncidentKind = strawberry.field(description="What happened.")
    severity: Severity = strawberry.field(description="How serious it is.")
    occurred_on: dt.date = strawberry.field(description="Day it happened (or began).")
    reported_on: dt.date = strawberry.field(description="Day it was reported.")
    contract_id: strawberry.ID | None = strawberry.field(
        description="The contract under which it happened; null when none."
    )
    caused_by_vendor_id: strawberry.ID | None = strawberry.field(
        description="The subcontractor that caused it on this vendor's contract; null when the"
        " vendor itself did."
    )
    description: str = strawberry.field(description="What happened, in words.")
    status: IncidentState = strawberry.field(  # type: ignore[valid-type]
        description="How far it has got."
    )
    investigated_on: dt.date | None = strawberry.field(
        description="Day the latest investigation reported; null before one."
    )
    leak: LeakFinding | None = strawberry.field(
        description="Whether data demonstrably left control; null before an investigation."
    )
    unapproved_subcontracting_found: bool | None = strawberry.field(
        description="Whether work had been subcontracted without approval; null before an"
        " investigation."
    )
    control_failures: list[ControlFailure] = strawberry.field(
        description="Required safeguards the investigation found missing."
    )
    summary: str | None = strawberry.field(
        description="The investigation's findings, in words; null before one."
    )
    closed_on: dt.date | None = strawberry.field(description="Day it was closed; null while open.")
    resolution: str | None = strawberry.field(description="How it was resolved; null while open.")

    # Numbered per vendor: the vendor is part of the key.
    node_key_names = ("vendorId", "incidentId")

    def node_key(self) -> Key:
        return (self.vendor_id, self.incident_id)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[Incident | None]:
        pairs = [(vendor, incident_id) for vendor, incident_id in keys]
        async with info.context.pool.acquire() as conn:
            found = await records_by_key.incidents_named(conn, pairs, in_view(info))
        return in_key_order({k: incident(r) for k, r in found.items()}, keys)


@strawberry.type(description="A claim for damages against a vendor.")
class Claim(Node):
    claim_id: strawberry.ID = strawberry.field(description="The claim's id.")
    vendor_id: strawberry.ID = strawberry.field(description="The vendor claimed against.")
    filed_on: dt.date = strawberry.field(description="Day it was filed.")
    amount: str = strawberry.field(description=AMOUNT)
    currency: str = strawberry.field(description="ISO 4217 currency code of the amounts.")
    incident_id: strawberry.ID | None = strawberry.field(
        description="The incident it is for; null when none."
    )
    contract_id: strawberry.ID | None = strawberry.field(
        description="The contract it is under; null when none."
    )
    description: str = strawberry.field(description="What damages are claimed, and why.")
    status: ClaimState = strawberry.field(  # type: ignore[valid-type]
        description="Whether it is settled."
    )
    settled_on: dt.date | None = strawberry.field(
        description="Day it was settled; null while open."
    )
    settled_amount: str | None = strawberry.field(description=AMOUNT)

    # Numbered per vendor: the vendor is part of the key.
    node_key_names = ("vendorId", "claimId")

    def node_key(self) -> Key:
        return (self.vendor_id, self.claim_id)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[Claim | None]:
        pairs = [(vendor, claim_id) for vendor, claim_id in keys]
        async with info.context.pool.acquire() as conn:
            found = await records_by_key.claims_named(conn, pairs, in_view(info))
        return in_key_order({k: claim(r) for k, r in found.items()}, keys)


@strawberry.type(description="A certificate a vendor submitted (data erasure, media disposal, …).")
class Certificate(Node):
    certificate_id: strawberry.ID = strawberry.field(description="The certificate's id.")
    vendor_id: strawberry.ID = strawberry.field(description="The vendor that submitted it.")
    kind: CertificateKind = strawberry.field(description="What it proves.")
    contract_id: strawberry.ID = strawberry.field(description="The contract it is for.")
    subcontract_id: strawberry.ID | None = strawberry.field(
        description="The subcontract it proves fit (subcontractor fitness only); null otherwise."
    )
    submitted_on: dt.date = strawberry.field(description="Day the vendor submitted it.")
    issued_by: str = strawberry.field(description="Who issued the certificate.")

    # Numbered per vendor: the vendor is part of the key.
    node_key_names = ("vendorId", "certificateId")

    def node_key(self) -> Key:
        return (self.vendor_id, self.certificate_id)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[Certificate | None]:
        pairs = [(vendor, certificate_id) for vendor, certificate_id in keys]
        async with info.context.pool.acquire() as conn:
            found = await records_by_key.certificates_named(conn, pairs, in_view(info))
        return in_key_order({k: certificate(r) for k, r in found.items()}, keys)


@strawberry.type(description="A stretch of days a sanction applies.")
class BarredPeriod:
    starts_on: dt.date = strawberry.field(description="Its first day.")
    ends_on: dt.date | None = strawberry.field(
        description="Its last day; null: it applies from then on without end (until lifted)."
    )


@strawberry.type(description="A sanction with its terms as amended (and lifted) so far.")
class Sanction(Node):
    sanction_id: strawberry.ID = strawberry.field(description="The sanction's id.")
    vendor_id: strawberry.ID = strawberry.field(description="The vendor it was imposed on.")
    kind: SanctionKind = strawberry.field(description="What kind of sanction it is.")
    authority: str = strawberry.field(description="Who imposed it.")
    decided_on: dt.date = strawberry.field(description="Day the authority decided it.")
    starts_on: dt.date = strawberry.field(description="First day it applies.")
    ends_on: dt.date | None = strawberry.field(
        description="Last day it applies, every change counted as `bidEligibility` counts"
        " them (a new period ending before the amendment that gave it ends it the day"
        " before); null when indefinite."
    )
    lifted_on: dt.date | None = strawberry.field(
        description="First day it no longer applies, when lifted early; null otherwise."
    )
    agencies: list[str] | None = strawberry.field(
        description="The agencies it applies at: on `activeOn` when the list was asked for a"
        " day, else as last amended (an amendment dated later included); null: every agency."
    )
    categories: list[str] | None = strawberry.field(
        description="The procurement categories it applies in: on `activeOn` when the list was"
        " asked for a day, else as last amended; null: every category."
    )
    barred_periods: list[BarredPeriod] = strawberry.field(
        description="The stretches of days it applies, in order: one, or more for a sanction"
        " extended after a gap (the vendor may bid in the gap, as `bidEligibility` says);"
        " `startsOn` is the first's first day and `endsOn` the last's last."
    )

    node_key_names = ("sanctionId",)

    def node_key(self) -> Key:
        return (self.sanction_id,)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[Sanction | None]:
        # Sanctions are public record: every role sees every agency's (as `sanctions`).
        async with info.context.pool.acquire() as conn:
            found = await records_by_key.sanctions_named(conn, [i for (i,) in keys])
        return in_key_order({(i,): sanction(r) for i, r in found.items()}, keys)


def in_view(info: Info) -> tuple[str, ...] | None:
    """The agencies whose contracts (and what hangs on them) the caller sees; None: all."""
    return agencies_in_view(info.context.principal)


def _node(node_type: Callable[..., Item], record: Any, /, **enums: Callable[[Any], Any]) -> Item:
    """A GraphQL node from a record: same field names; amounts as strings; enums converted."""
    values = {}
    for name in getattr(node_type, "__annotations__", {}):
        value = getattr(record, name)
        if name in enums and value is not None:
            value = enums[name](value)
        elif isinstance(value, int) and not isinstance(value, bool) and "amount" in name:
            value = str(value)
        elif isinstance(value, tuple):
            value = list(value)
        values[name] = value
    return node_type(**values)


def contract(r: records.ContractRecord) -> Contract:
    return _node(Contract, r, criticality=Criticality, termination_reason=TerminationReason)


def subcontract(r: records.SubcontractRecord) -> Subcontract:
    return _node(Subcontract, r, status=SubcontractStatus)


def incident(r: records.IncidentRecord) -> Incident:
    return _node(
        Incident,
        r,
        kind=IncidentKind,
        severity=Severity,
        status=IncidentStatus,
        leak=LeakFinding,
        control_failures=lambda failures: [ControlFailure(f) for f in failures],
    )


def claim(r: records.ClaimRecord) -> Claim:
    return _node(Claim, r, status=ClaimStatus)


def certificate(r: records.CertificateRecord) -> Certificate:
    return _node(Certificate, r, kind=CertificateKind)


def sanction(r: records.SanctionRecord) -> Sanction:
    return _node(
        Sanction,
        r,
        kind=SanctionKind,
        barred_periods=lambda periods: [BarredPeriod(starts_on=f, ends_on=t) for f, t in periods],
    )
