"""The registry's records in the API: each vendor's contracts, subcontracts, incidents, claims,
certificates and sanctions as connections (`first`/`after`, `totalCount`, filters), loaded for
a whole page of vendors at once; and the cross-vendor lists of vendors, contracts, sanctions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import strawberry

from services.events.compliance import CertificateKind
from services.events.contract import Criticality, TerminationReason
from services.events.incident import ControlFailure, IncidentKind, LeakFinding, Severity
from services.events.sanction import SanctionKind
from services.platform.database import Connection as Db
from services.platform.graphql.context import Info
from services.platform.graphql.loaders import batched
from services.platform.graphql.pagination import Connection, page_size
from services.registry import record_repository as records
from services.registry.record_repository import (
    ClaimStatus,
    IncidentStatus,
    Page,
    SubcontractStatus,
)

MAX_PAGE = 100
AMOUNT = (
    "Integer amount in the currency's smallest unit (yen for JPY), as a string: it may"
    " exceed GraphQL's 32-bit Int."
)

Record = TypeVar("Record")
Node = TypeVar("Node")

SubcontractState = strawberry.enum(SubcontractStatus, name="SubcontractStatus")
IncidentState = strawberry.enum(IncidentStatus, name="IncidentStatus")
ClaimState = strawberry.enum(ClaimStatus, name="ClaimStatus")


@strawberry.type(description="A contract an agency awarded to a vendor, as amended and ended.")
class Contract:
    contract_id: strawberry.ID
    vendor_id: strawberry.ID
    agency: str
    title: str
    category: str
    criticality: Criticality
    awarded_on: dt.date
    starts_on: dt.date
    ends_on: dt.date = strawberry.field(description="Last day of the term, after amendments.")
    amount: str = strawberry.field(description=AMOUNT)
    currency: str
    terminated_on: dt.date | None
    termination_reason: TerminationReason | None


@strawberry.type(description="Work of a contract subcontracted (or re-subcontracted).")
class Subcontract:
    subcontract_id: strawberry.ID
    contract_id: strawberry.ID
    vendor_id: strawberry.ID = strawberry.field(description="The prime contractor.")
    subcontractor_vendor_id: strawberry.ID
    parent_subcontract_id: strawberry.ID | None
    scope: str
    requested_on: dt.date
    status: SubcontractState  # type: ignore[valid-type]
    decided_on: dt.date | None
    reason: str | None = strawberry.field(description="Why it was rejected.")
    fitness_certificate_ids: list[strawberry.ID]


@strawberry.type(description="A breach incident, with its latest findings.")
class Incident:
    incident_id: strawberry.ID
    vendor_id: strawberry.ID
    kind: IncidentKind
    severity: Severity
    occurred_on: dt.date
    reported_on: dt.date
    contract_id: strawberry.ID | None
    caused_by_vendor_id: strawberry.ID | None
    description: str
    status: IncidentState  # type: ignore[valid-type]
    investigated_on: dt.date | None
    leak: LeakFinding | None
    unapproved_subcontracting_found: bool | None
    control_failures: list[ControlFailure]
    summary: str | None
    closed_on: dt.date | None
    resolution: str | None


@strawberry.type(description="A claim for damages against a vendor.")
class Claim:
    claim_id: strawberry.ID
    vendor_id: strawberry.ID
    filed_on: dt.date
    amount: str = strawberry.field(description=AMOUNT)
    currency: str
    incident_id: strawberry.ID | None
    contract_id: strawberry.ID | None
    description: str
    status: ClaimState  # type: ignore[valid-type]
    settled_on: dt.date | None
    settled_amount: str | None = strawberry.field(description=AMOUNT)


@strawberry.type(description="A certificate a vendor submitted (data erasure, media disposal, …).")
class Certificate:
    certificate_id: strawberry.ID
    vendor_id: strawberry.ID
    kind: CertificateKind
    contract_id: strawberry.ID
    subcontract_id: strawberry.ID | None
    submitted_on: dt.date
    issued_by: str


@strawberry.type(description="A sanction with its terms as amended (and lifted) so far.")
class Sanction:
    sanction_id: strawberry.ID
    vendor_id: strawberry.ID
    kind: SanctionKind
    authority: str
    decided_on: dt.date
    starts_on: dt.date
    ends_on: dt.date | None = strawberry.field(description="Last day; null when indefinite.")
    lifted_on: dt.date | None
    agencies: list[str] | None = strawberry.field(description="Null: every agency.")
    categories: list[str] | None = strawberry.field(description="Null: every category.")


def _node(node_type: Callable[..., Node], record: Any, /, **enums: Callable[[Any], Any]) -> Node:
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
    return _node(Sanction, r, kind=SanctionKind)


PageFetch = Callable[[Db, Sequence[str] | None], Awaitable[dict[str | None, Page[Record]]]]


def connection(
    page: Page[Record], to_node: Callable[[Record], Node], cursor: str, after: str | None
) -> Connection[Node]:
    nodes = [to_node(r) for r in page.records]
    return Connection.of(nodes, lambda n: str(getattr(n, cursor)), page.total, page.has_next, after)


async def of_vendor(
    info: Info,
    vendor_id: str,
    key: tuple[Any, ...],
    fetch: PageFetch[Record],
) -> Page[Record]:
    """The vendor's page, batched with the same field of every other vendor in the answer."""
    empty: Page[Record] = Page([], 0, False)
    loader = batched(info, key, fetch, empty)
    return await loader.load(vendor_id)


async def across_vendors(info: Info, fetch: PageFetch[Record]) -> Page[Record]:
    async with info.context.pool.acquire() as conn:
        return (await fetch(conn, None))[None]


def limit(first: int) -> int:
    return page_size(first, MAX_PAGE)
