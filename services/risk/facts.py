"""What the risk model knows about a vendor, folded from its events (pure).

The risk service keeps the events that bear on each vendor; the facts are always derived from
them, so replaying the log rebuilds exactly the same facts (and so the same scores).
Dates are the events' own dates (occurred, decided, filed…), never the time of processing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import cast

from services.events.base import EventEnvelope
from services.events.compliance import CertificateKind, CertificateSubmitted
from services.events.contract import (
    ContractAmended,
    ContractAwarded,
    ContractTerminated,
    Criticality,
    SubcontractApproved,
    SubcontractRejected,
    SubcontractRequested,
)
from services.events.incident import (
    IncidentClosed,
    IncidentInvestigated,
    IncidentKind,
    IncidentReported,
    LeakFinding,
    Severity,
)
from services.events.sanction import (
    PERIOD_FIELDS,
    ClaimFiled,
    ClaimSettled,
    SanctionAmended,
    SanctionImposed,
    SanctionKind,
    SanctionLifted,
)
from services.registry import sanction_timeline
from services.registry.periods import ONE_DAY
from services.registry.sanction_timeline import Change


@dataclass(frozen=True)
class IncidentFact:
    incident_id: str
    reported_by_vendor_id: str  # the vendor whose record it is on (the prime, for its contract)
    caused_by_vendor_id: str | None  # a subcontractor that caused it, when not that vendor
    contract_id: str | None
    kind: IncidentKind
    severity: Severity
    occurred_on: dt.date
    leak: LeakFinding = LeakFinding.PENDING
    unapproved_subcontracting_found: bool = False
    investigated_on: dt.date | None = None
    closed_on: dt.date | None = None
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class SanctionFact:
    sanction_id: str
    kind: SanctionKind
    starts_on: dt.date
    last_day: dt.date | None  # None: indefinite (until lifted)
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContractFact:
    contract_id: str
    agency: str
    criticality: Criticality
    starts_on: dt.date
    ends_on: dt.date
    event_ids: tuple[str, ...] = ()

    def active_on(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class SubcontractFact:
    subcontract_id: str
    contract_id: str
    subcontractor_vendor_id: str
    parent_subcontract_id: str | None
    requested_on: dt.date
    approved_on: dt.date | None = None
    rejected_on: dt.date | None = None
    fitness_certificate_ids: tuple[str, ...] = ()
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CertificateFact:
    certificate_id: str
    kind: CertificateKind
    contract_id: str
    subcontract_id: str | None
    submitted_on: dt.date
    event_id: str


@dataclass(frozen=True)
class ClaimFact:
    claim_id: str
    amount: int
    filed_on: dt.date
    settled_on: dt.date | None = None
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class VendorFacts:
    """Everything on a vendor's record, plus the incidents it caused on others' contracts."""

    vendor_id: str
    incidents: dict[str, IncidentFact] = field(default_factory=dict)
    sanctions: dict[str, SanctionFact] = field(default_factory=dict)
    contracts: dict[str, ContractFact] = field(default_factory=dict)
    subcontracts: dict[str, SubcontractFact] = field(default_factory=dict)
    certificates: dict[str, CertificateFact] = field(default_factory=dict)
    claims: dict[str, ClaimFact] = field(default_factory=dict)


@dataclass
class _SanctionSource:
    imposed: SanctionImposed
    changes: list[Change]
    event_ids: list[str]


def fold(vendor_id: str, events: Iterable[EventEnvelope], as_of: dt.date) -> VendorFacts:
    """The facts about `vendor_id` from `events` (in log order) that happened by `as_of`."""
    facts = VendorFacts(vendor_id)
    terminated: set[str] = set()
    sanctions: dict[str, _SanctionSource] = {}
    for event in events:
        _apply(facts, event, as_of, terminated, sanctions)
    for sanction_id, source in sanctions.items():
        facts.sanctions[sanction_id] = _sanction_fact(source, as_of)
    return facts


def _sanction_fact(source: _SanctionSource, as_of: dt.date) -> SanctionFact:
    """A sanction as it stands on `as_of`, by the registry's own rules (amendments and lifts
    from their effective dates, a lift final): sanction_timeline."""
    imposed = source.imposed
    timeline = sanction_timeline.build(
        sanction_id=imposed.sanction_id,
        vendor_id="",
        kind=imposed.kind,
        authority=imposed.authority,
        decided_on=imposed.decided_on,
        starts_on=imposed.starts_on,
        imposed={name: getattr(imposed, name) for name in PERIOD_FIELDS},
        changes=source.changes,
    )
    last_day = timeline.terms_on(as_of).last_day
    lift = next((t for t in timeline.terms if t.lifted and t.effective_on <= as_of), None)
    if lift is not None:  # in force until the day before the (first) lift, not after
        until = lift.effective_on - ONE_DAY
        last_day = until if last_day is None else min(last_day, until)
    return SanctionFact(
        sanction_id=imposed.sanction_id,
        kind=imposed.kind,
        starts_on=imposed.starts_on,
        last_day=last_day,
        event_ids=tuple(source.event_ids),
    )


def _apply(
    facts: VendorFacts,
    event: EventEnvelope,
    as_of: dt.date,
    terminated: set[str],
    sanctions: dict[str, _SanctionSource],
) -> None:
    payload = event.payload
    eid = str(event.event_id)
    match payload:
        case IncidentReported() if payload.occurred_on <= as_of:
            facts.incidents[payload.incident_id] = IncidentFact(
                incident_id=payload.incident_id,
                reported_by_vendor_id=event.vendor_id,
                caused_by_vendor_id=payload.caused_by_vendor_id,
                contract_id=payload.contract_id,
                kind=payload.kind,
                severity=payload.severity,
                occurred_on=payload.occurred_on,
                event_ids=(eid,),
            )
        case IncidentInvestigated() if payload.investigated_on <= as_of:
            if (incident := facts.incidents.get(payload.incident_id)) is not None:
                facts.incidents[payload.incident_id] = replace(
                    incident,
                    leak=payload.leak,
                    unapproved_subcontracting_found=payload.unapproved_subcontracting_found,
                    investigated_on=payload.investigated_on,
                    event_ids=(*incident.event_ids, eid),
                )
        case IncidentClosed() if payload.closed_on <= as_of:
            if (incident := facts.incidents.get(payload.incident_id)) is not None:
                facts.incidents[payload.incident_id] = replace(
                    incident, closed_on=payload.closed_on, event_ids=(*incident.event_ids, eid)
                )
        case SanctionImposed() if payload.decided_on <= as_of:
            sanctions[payload.sanction_id] = _SanctionSource(payload, [], [eid])
        case SanctionAmended() | SanctionLifted() if payload.sanction_id in sanctions:
            # Kept whatever their effective date: the timeline applies each from its date.
            source = sanctions[payload.sanction_id]
            lifted = isinstance(payload, SanctionLifted)
            fields = {} if lifted else cast(SanctionAmended, payload).changes()
            source.changes.append(Change(payload.effective_on, lifted, fields))
            source.event_ids.append(eid)
        case ContractAwarded() if payload.awarded_on <= as_of:
            facts.contracts[payload.contract_id] = ContractFact(
                contract_id=payload.contract_id,
                agency=payload.agency,
                criticality=payload.criticality,
                starts_on=payload.starts_on,
                ends_on=payload.ends_on,
                event_ids=(eid,),
            )
        case ContractAmended() if payload.effective_on <= as_of:
            contract = facts.contracts.get(payload.contract_id)
            if contract is not None and payload.contract_id not in terminated:
                facts.contracts[payload.contract_id] = replace(
                    contract,
                    ends_on=payload.ends_on or contract.ends_on,
                    event_ids=(*contract.event_ids, eid),
                )
        case ContractTerminated() if payload.terminated_on <= as_of:
            terminated.add(payload.contract_id)  # an amendment cannot revive it
            if (contract := facts.contracts.get(payload.contract_id)) is not None:
                facts.contracts[payload.contract_id] = replace(
                    contract,
                    ends_on=min(contract.ends_on, payload.terminated_on),
                    event_ids=(*contract.event_ids, eid),
                )
        case SubcontractRequested() if payload.requested_on <= as_of:
            facts.subcontracts[payload.subcontract_id] = SubcontractFact(
                subcontract_id=payload.subcontract_id,
                contract_id=payload.contract_id,
                subcontractor_vendor_id=payload.subcontractor_vendor_id,
                parent_subcontract_id=payload.parent_subcontract_id,
                requested_on=payload.requested_on,
                event_ids=(eid,),
            )
        case SubcontractApproved() if payload.approved_on <= as_of:
            if (sub := facts.subcontracts.get(payload.subcontract_id)) is not None:
                facts.subcontracts[payload.subcontract_id] = replace(
                    sub,
                    approved_on=payload.approved_on,
                    fitness_certificate_ids=tuple(payload.fitness_certificate_ids),
                    event_ids=(*sub.event_ids, eid),
                )
        case SubcontractRejected() if payload.rejected_on <= as_of:
            if (sub := facts.subcontracts.get(payload.subcontract_id)) is not None:
                facts.subcontracts[payload.subcontract_id] = replace(
                    sub, rejected_on=payload.rejected_on, event_ids=(*sub.event_ids, eid)
                )
        case CertificateSubmitted() if payload.submitted_on <= as_of:
            facts.certificates[payload.certificate_id] = CertificateFact(
                certificate_id=payload.certificate_id,
                kind=payload.kind,
                contract_id=payload.contract_id,
                subcontract_id=payload.subcontract_id,
                submitted_on=payload.submitted_on,
                event_id=eid,
            )
        case ClaimFiled() if payload.filed_on <= as_of:
            facts.claims[payload.claim_id] = ClaimFact(
                claim_id=payload.claim_id,
                amount=payload.amount,
                filed_on=payload.filed_on,
                event_ids=(eid,),
            )
        case ClaimSettled() if payload.settled_on <= as_of:
            if (claim := facts.claims.get(payload.claim_id)) is not None:
                facts.claims[payload.claim_id] = replace(
                    claim, settled_on=payload.settled_on, event_ids=(*claim.event_ids, eid)
                )
        case _:
            pass


def effective_day(payload: object, fallback: dt.date) -> dt.date:
    """The day an event takes effect, by its own dates: the day a score "after" it is for.
    (A sanction's is its first day in force, not the day it was decided.)"""
    match payload:
        case IncidentReported():
            return payload.reported_on
        case IncidentInvestigated():
            return payload.investigated_on
        case IncidentClosed():
            return payload.closed_on
        case SanctionImposed():
            return payload.starts_on
        case SanctionAmended() | SanctionLifted() | ContractAmended():
            return payload.effective_on
        case ContractAwarded():
            return payload.awarded_on
        case ContractTerminated():
            return payload.terminated_on
        case SubcontractRequested():
            return payload.requested_on
        case SubcontractApproved():
            return payload.approved_on
        case SubcontractRejected():
            return payload.rejected_on
        case CertificateSubmitted():
            return payload.submitted_on
        case ClaimFiled():
            return payload.filed_on
        case ClaimSettled():
            return payload.settled_on
        case _:
            return fallback
