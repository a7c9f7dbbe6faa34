"""Read side of a vendor's records: contracts, subcontracts, incidents, claims, certificates
and sanctions, paged in id order, many vendors at a time; those that belong to an agency
only of the `agencies` a caller sees, when given (record_scope.py).

Each page function answers for any number of vendors in one paging statement
(record_paging), so listing the records of a page of vendors costs the same whatever the
page size. `after` is the id of the last record already seen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Self

import asyncpg

from services.platform.postgres.database import Connection
from services.registry.domain.sanction_timeline import SanctionTimeline
from services.registry.reads import record_scope
from services.registry.storage import sanction_repository, sanctions_by_day

# Page is re-exported: callers of the page functions need it, not the paging machinery.
from services.registry.storage.record_paging import Page as Page
from services.registry.storage.record_paging import fetch_pages


# Where a record stands, stored as these strings (CHECK constraints in 0002_records.sql).
class SubcontractStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class IncidentStatus(StrEnum):
    REPORTED = "reported"
    INVESTIGATED = "investigated"
    CLOSED = "closed"


class ClaimStatus(StrEnum):
    FILED = "filed"
    SETTLED = "settled"


@dataclass(frozen=True)
class _Row:
    """A record read back from its table, whose columns are named like its fields."""

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Self:
        # Arrays become tuples, so that records stay immutable.
        values = {f.name: row[f.name] for f in fields(cls)}
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


@dataclass(frozen=True)
class ContractRecord(_Row):
    contract_id: str
    vendor_id: str
    agency: str
    title: str
    category: str
    criticality: str  # a services.events.contract.Criticality value
    awarded_on: dt.date
    starts_on: dt.date
    ends_on: dt.date  # after amendments
    amount: int  # after amendments, in the currency's smallest unit
    currency: str
    terminated_on: dt.date | None  # last day in force
    termination_reason: str | None  # a TerminationReason value
    termination_note: str | None


@dataclass(frozen=True)
class SubcontractRecord(_Row):
    subcontract_id: str
    vendor_id: str  # the prime contractor
    contract_id: str
    subcontractor_vendor_id: str
    parent_subcontract_id: str | None
    scope: str
    requested_on: dt.date
    status: str  # a SubcontractStatus value
    decided_on: dt.date | None  # approved or rejected on
    reason: str | None  # why it was rejected
    fitness_certificate_ids: tuple[str, ...]  # what its approval relied on


@dataclass(frozen=True)
class IncidentRecord(_Row):
    incident_id: str
    vendor_id: str
    kind: str  # an IncidentKind value
    severity: str  # a Severity value
    occurred_on: dt.date
    reported_on: dt.date
    contract_id: str | None
    caused_by_vendor_id: str | None
    description: str
    status: str  # an IncidentStatus value
    investigated_on: dt.date | None  # the latest investigation's findings from here on
    leak: str | None  # a LeakFinding value
    unapproved_subcontracting_found: bool | None
    control_failures: tuple[str, ...]  # ControlFailure values
    summary: str | None
    closed_on: dt.date | None
    resolution: str | None


@dataclass(frozen=True)
class ClaimRecord(_Row):
    claim_id: str
    vendor_id: str
    filed_on: dt.date
    amount: int
    currency: str
    incident_id: str | None
    contract_id: str | None
    description: str
    status: str  # a ClaimStatus value
    settled_on: dt.date | None
    settled_amount: int | None  # in the claim's currency


@dataclass(frozen=True)
class CertificateRecord(_Row):
    certificate_id: str
    vendor_id: str
    kind: str  # a CertificateKind value
    contract_id: str
    subcontract_id: str | None
    submitted_on: dt.date
    issued_by: str


@dataclass(frozen=True)
class SanctionRecord:
    """A sanction as it stands with every recorded amendment and lift applied."""

    sanction_id: str
    vendor_id: str
    kind: str  # a SanctionKind value
    authority: str
    decided_on: dt.date
    starts_on: dt.date
    ends_on: dt.date | None  # last day it applies; None: indefinite (until lifted)
    lifted_on: dt.date | None  # first day it no longer applies, when lifted early
    agencies: tuple[str, ...] | None  # None: every agency
    categories: tuple[str, ...] | None  # None: every procurement category
    # The stretches it applies (SanctionTimeline.barred_periods): more than one after a gap.
    barred_periods: tuple[tuple[dt.date, dt.date | None], ...]

    @classmethod
    def of(cls, timeline: SanctionTimeline, on: dt.date | None = None) -> SanctionRecord:
        """Its record as last amended; the scope (agencies, categories) is that in force
        `on` that day when given, since an amendment may narrow it from a later day."""
        latest = timeline.terms[-1]
        scope = latest if on is None else timeline.terms_on(on)
        # A lift is final: later terms keep it, so the first lifted terms say when.
        lifted_on = next((t.effective_on for t in timeline.terms if t.lifted), None)
        return cls(
            sanction_id=timeline.sanction_id,
            vendor_id=timeline.vendor_id,
            kind=timeline.kind.value,
            authority=timeline.authority,
            decided_on=timeline.decided_on,
            starts_on=timeline.starts_on,
            ends_on=timeline.final_day,
            lifted_on=lifted_on,
            agencies=scope.agencies,
            categories=scope.categories,
            barred_periods=timeline.barred_periods,
        )


def agency_filter(sql: str, agencies: Sequence[str] | None) -> tuple[str, list[str] | None]:
    """The filter to the records of `agencies` (services/platform/security/access.py); None: all."""
    return (sql, list(agencies) if agencies is not None else None)


# A contract not ended on day {0}: neither past its (amended) last day nor terminated before
# it, whether it started or is still to start. Its last day is written `least(ends_on,
# terminated_on)` (`least` skips the NULL of a contract not terminated; `ends_on` is never
# NULL), the expression migration 0015 indexes: every agency's contracts not ended are read
# from it, not from the whole table.
_NOT_ENDED = "{0} <= least(ends_on, terminated_on)"
# A contract running on day {0}: in its term, and not ended.
_RUNNING = "starts_on <= {0} AND " + _NOT_ENDED


async def agencies_contracting(
    conn: Connection,
    vendor_ids: Sequence[str],
    on: dt.date,
    recorded_by: dt.datetime | None = None,
    *,
    to_start: bool = True,
) -> dict[str, list[str]]:
    """Vendor → the agencies with a contract of it awarded and not ended that day, started or
    still to start (their automatic watchlist of alerts: the agency's business from its
    award, as migration plans it from then), in name order; vendors with none are left out.
    `recorded_by`: only the contracts the log recorded by that moment, at it included (an
    event judged by what the log held when it recorded the event, live and replayed alike;
    an award's own contract is recorded at its moment). Not
    `to_start`: only the contracts running that day (the watchlist before alerts' migration
    0017, for what the log recorded before it)."""
    rows = await conn.fetch(
        "SELECT vendor_id, array_agg(DISTINCT agency ORDER BY agency) AS agencies"
        " FROM registry_contracts WHERE vendor_id = ANY($1::text[]) AND "
        + (_NOT_ENDED if to_start else _RUNNING).format("$2::date")
        + " AND ($3::timestamptz IS NULL OR recorded_at <= $3) GROUP BY vendor_id",
        list(vendor_ids),
        on,
        recorded_by,
    )
    return {r["vendor_id"]: list(r["agencies"]) for r in rows}


async def contracting_vendors(
    conn: Connection, on: dt.date, agencies: Sequence[str] | None, agency: str | None
) -> dict[str, list[str]]:
    """Agency → the vendors of its contracts not ended that day, started or still to start
    (its automatic watchlist, as `agencies_contracting`), in id order (of `agencies` only
    when given, None: all; of `agency` only when given).

    One agency's contracts, or a system owner's few agencies', are found by the index
    (agency, contract_id) (the pools plan each statement for its values, so an argument left
    null drops out of the plan); every agency's (an administrator's `watchlists`) by the
    index of their last day (migration 0015), which leaves out the contracts that ended.
    Those migrations' comments (0013, 0015) call it by its former name,
    `running_contract_vendors`: an applied migration is never edited (its checksum is
    checked), so the name stays there."""
    rows = await conn.fetch(
        "SELECT agency, array_agg(DISTINCT vendor_id ORDER BY vendor_id) AS vendor_ids"
        " FROM registry_contracts WHERE "
        + _NOT_ENDED.format("$1::date")
        + " AND ($2::text[] IS NULL OR agency = ANY($2::text[]))"
        " AND ($3::text IS NULL OR agency = $3) GROUP BY agency ORDER BY agency",
        on,
        list(agencies) if agencies is not None else None,
        agency,
    )
    return {r["agency"]: list(r["vendor_ids"]) for r in rows}


async def contracts(
    conn: Connection,
    vendor_ids: Sequence[str] | None,
    *,
    first: int,
    after: str | None = None,
    agency: str | None = None,
    active_on: dt.date | None = None,
    agencies: Sequence[str] | None = None,
    count: bool = True,
) -> dict[str | None, Page[ContractRecord]]:
    """`active_on`: in its (amended) term that day, and not terminated before it. `count`:
    whether the page across vendors (`vendor_ids` None) is counted (record_paging)."""
    pages = await fetch_pages(
        conn,
        "registry_contracts",
        "contract_id",
        vendor_ids,
        first=first,
        after=after,
        filters=[
            ("agency = {0}", agency),
            (_RUNNING, active_on),
            agency_filter(record_scope.CONTRACTS, agencies),
        ],
        count=count,
    )
    return {v: p.map(ContractRecord.from_row) for v, p in pages.items()}


async def subcontracts(
    conn: Connection,
    vendor_ids: Sequence[str] | None,
    *,
    first: int,
    after: str | None = None,
    status: str | None = None,
    agencies: Sequence[str] | None = None,
) -> dict[str | None, Page[SubcontractRecord]]:
    """Subcontracts by prime contractor."""
    pages = await fetch_pages(
        conn,
        "registry_subcontracts",
        "subcontract_id",
        vendor_ids,
        first=first,
        after=after,
        filters=[("status = {0}", status), agency_filter(record_scope.SUBCONTRACTS, agencies)],
    )
    return {v: p.map(SubcontractRecord.from_row) for v, p in pages.items()}


async def incidents(
    conn: Connection,
    vendor_ids: Sequence[str] | None,
    *,
    first: int,
    after: str | None = None,
    open_only: bool = False,
    agencies: Sequence[str] | None = None,
) -> dict[str | None, Page[IncidentRecord]]:
    pages = await fetch_pages(
        conn,
        "registry_incidents",
        "incident_id",
        vendor_ids,
        first=first,
        after=after,
        filters=[
            ("status <> {0}", IncidentStatus.CLOSED.value if open_only else None),
            agency_filter(record_scope.INCIDENTS, agencies),
        ],
    )
    return {v: p.map(IncidentRecord.from_row) for v, p in pages.items()}


async def claims(
    conn: Connection,
    vendor_ids: Sequence[str] | None,
    *,
    first: int,
    after: str | None = None,
    status: str | None = None,
    agencies: Sequence[str] | None = None,
) -> dict[str | None, Page[ClaimRecord]]:
    pages = await fetch_pages(
        conn,
        "registry_claims",
        "claim_id",
        vendor_ids,
        first=first,
        after=after,
        filters=[("status = {0}", status), agency_filter(record_scope.CLAIMS, agencies)],
    )
    return {v: p.map(ClaimRecord.from_row) for v, p in pages.items()}


async def certificates(
    conn: Connection,
    vendor_ids: Sequence[str] | None,
    *,
    first: int,
    after: str | None = None,
    kind: str | None = None,
    contract_id: str | None = None,
    agencies: Sequence[str] | None = None,
) -> dict[str | None, Page[CertificateRecord]]:
    pages = await fetch_pages(
        conn,
        "registry_certificates",
        "certificate_id",
        vendor_ids,
        first=first,
        after=after,
        filters=[
            ("kind = {0}", kind),
            ("contract_id = {0}", contract_id),
            agency_filter(record_scope.CERTIFICATES, agencies),
        ],
    )
    return {v: p.map(CertificateRecord.from_row) for v, p in pages.items()}


async def sanction_timelines(
    conn: Connection, vendor_ids: Sequence[str]
) -> dict[str, SanctionTimeline]:
    """Every sanction of these vendors with its timeline, by id."""
    return {t.sanction_id: t for t in await sanction_repository.timelines(conn, vendor_ids, None)}


async def sanctions(
    conn: Connection,
    vendor_ids: Sequence[str] | None,
    *,
    first: int,
    after: str | None = None,
    active_on: dt.date | None = None,
    count: bool = True,
) -> dict[str | None, Page[SanctionRecord]]:
    """`active_on`: in force that day, by the terms in force that day (sanction_timeline),
    each with its scope that day. `count`: as for `contracts`.

    Whether a sanction is in force depends on its amendments and lifts, which only the
    timeline folds, so with `active_on` the timelines of the sanctions that may be in force
    that day are read first (sanctions_by_day: by an index, not every vendor's) and the page
    is of the ids in force; otherwise only the timelines of the vendors on the pages are read.
    """
    timelines: dict[str, SanctionTimeline] | None = None
    in_force: list[str] | None = None
    if active_on is not None:
        timelines = await sanctions_by_day.in_force_on(conn, active_on, vendor_ids)
        in_force = list(timelines)
    pages = await fetch_pages(
        conn,
        "registry_sanctions",
        "sanction_id",
        vendor_ids,
        first=first,
        after=after,
        filters=[("sanction_id = ANY({0}::text[])", in_force)],
        count=count,
    )
    if timelines is None:
        listed = {r["vendor_id"] for page in pages.values() for r in page.records}
        timelines = await sanction_timelines(conn, sorted(listed))
    return {
        v: p.map(lambda r: SanctionRecord.of(timelines[r["sanction_id"]], active_on))
        for v, p in pages.items()
    }
