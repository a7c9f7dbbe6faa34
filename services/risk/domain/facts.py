"""What the risk model knows about a vendor (pure data): facts on a day, and the state kept.

`VendorFacts` is a vendor's record as it stands on one day, what scoring.py scores.
`VendorState` is what the risk service keeps per vendor between events: every event so far
applied, whatever its dates, from which the facts on any day are derived (fold.py). Dates are
the events' own dates (occurred, decided, filed…), never the time of processing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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
    ClaimFiled,
    ClaimSettled,
    SanctionAmended,
    SanctionImposed,
    SanctionKind,
    SanctionLifted,
)


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
    # As it stands on the day: of one in force, its bar's last day as every change recorded
    # says, those dated ahead too (sanction_facts.bar_end); None: indefinite (until lifted).
    last_day: dt.date | None
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
    amount: int  # in the currency's smallest unit, as the claim gives it (yen for JPY)
    filed_on: dt.date
    settled_on: dt.date | None = None
    event_ids: tuple[str, ...] = ()
    # The claim's currency (a settlement is in it too: the registry refuses another).
    currency: str = "JPY"
    # Filed by an event the log recorded before claims were weighed in their own currency
    # (later_rules.FIFTH_RULES_FROM): its figure counts as yen, whatever its currency, as it
    # did live then, so that a rebuild gives the scores live processing gave.
    amount_as_yen: bool = False


@dataclass(frozen=True)
class VendorFacts:
    """Everything on a vendor's record, plus the incidents it caused on others' contracts."""

    vendor_id: str
    incidents: dict[str, IncidentFact] = field(default_factory=dict)
    # Derived for the day when asked (sanction_facts.SanctionsOn), or given.
    sanctions: Mapping[str, SanctionFact] = field(default_factory=dict)
    contracts: dict[str, ContractFact] = field(default_factory=dict)
    subcontracts: dict[str, SubcontractFact] = field(default_factory=dict)
    certificates: dict[str, CertificateFact] = field(default_factory=dict)
    claims: dict[str, ClaimFact] = field(default_factory=dict)


@dataclass(frozen=True)
class Period:
    """A sanction's period as an imposition or amendment gives it; all None: indefinite."""

    duration_months: int | None = None
    duration_days: int | None = None
    ends_on: dt.date | None = None

    def fields(self) -> dict[str, Any]:
        """As sanction_timeline takes a period: a key present for every period field."""
        return {
            "duration_months": self.duration_months,
            "duration_days": self.duration_days,
            "ends_on": self.ends_on,
        }


@dataclass(frozen=True)
class SanctionChange:
    """An amendment or a lift, with what of it bears on risk: the period, from its date."""

    effective_on: dt.date
    lifted: bool
    period: Period | None = None  # None: the period stays (e.g. only the scope changed)


@dataclass(frozen=True)
class SanctionSource:
    """A sanction as imposed, with every change to it recorded so far (whatever their dates):
    its terms on any day are derived from these by the registry's rules (sanction_timeline)."""

    sanction_id: str
    kind: SanctionKind
    authority: str
    decided_on: dt.date
    starts_on: dt.date
    period: Period
    changes: tuple[SanctionChange, ...] = ()
    event_ids: tuple[str, ...] = ()

    def __hash__(self) -> int:
        # Memoised: a source is a key of fold.py's caches, looked up for every score of its
        # vendor, and hashing its nested tuples each time was a tenth of the risk service's
        # time. (An explicit __hash__ is kept by @dataclass; equality stays field by field.)
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(
                (
                    self.sanction_id,
                    self.kind,
                    self.authority,
                    self.decided_on,
                    self.starts_on,
                    self.period,
                    self.changes,
                    self.event_ids,
                )
            )
            object.__setattr__(self, "_hash", cached)
        return cached


@dataclass(frozen=True)
class VendorState:
    """What the risk service keeps per vendor: every event so far applied, whatever its dates.

    An event is about one item (an incident, a sanction, a contract, …; see `item_of`) and
    counts from a day of its own (an incident from the day it occurred, a sanction from its
    decision, …). `horizons` holds, per item, the latest such day among its events: on a day
    at or after an item's horizon, the item stands here exactly as the events make it; before
    it, the item must be folded again from its own events (`facts_on`). Sanctions keep their
    changes, since their terms depend on the day anyway.
    """

    vendor_id: str
    incidents: dict[str, IncidentFact] = field(default_factory=dict)
    sanctions: dict[str, SanctionSource] = field(default_factory=dict)
    contracts: dict[str, ContractFact] = field(default_factory=dict)
    terminated: frozenset[str] = frozenset()  # contracts terminated: no amendment revives them
    subcontracts: dict[str, SubcontractFact] = field(default_factory=dict)
    certificates: dict[str, CertificateFact] = field(default_factory=dict)
    claims: dict[str, ClaimFact] = field(default_factory=dict)
    horizons: dict[str, dt.date] = field(default_factory=dict)
    horizon: dt.date = dt.date.min  # the latest of them: on a day after it, nothing is stale
    # Per item field ("contracts", …), a digest of the events folded into it, in order: two
    # states with the same digest for a field hold the same items there (factor_memo.py).
    digests: dict[str, str] = field(default_factory=dict)


# The state's field holding each kind of item (the prefix of its key, "kind:id").
ITEM_FIELDS = {
    "incident": "incidents",
    "sanction": "sanctions",
    "contract": "contracts",
    "subcontract": "subcontracts",
    "certificate": "certificates",
    "claim": "claims",
}


def item_of(payload: object) -> tuple[str, dt.date | None] | None:
    """The item an event is about ("kind:id") and the day from which it counts (None: from
    any day, as long as its item does), or None for an event that bears on no item."""
    match payload:
        case IncidentReported():
            return f"incident:{payload.incident_id}", payload.occurred_on
        case IncidentInvestigated():
            return f"incident:{payload.incident_id}", payload.investigated_on
        case IncidentClosed():
            return f"incident:{payload.incident_id}", payload.closed_on
        case SanctionImposed():
            return f"sanction:{payload.sanction_id}", payload.decided_on
        case SanctionAmended() | SanctionLifted():
            # Kept whatever their effective date: the timeline applies each from its date.
            return f"sanction:{payload.sanction_id}", None
        case ContractAwarded():
            return f"contract:{payload.contract_id}", payload.awarded_on
        case ContractAmended():
            return f"contract:{payload.contract_id}", payload.effective_on
        case ContractTerminated():
            return f"contract:{payload.contract_id}", payload.terminated_on
        case SubcontractRequested():
            return f"subcontract:{payload.subcontract_id}", payload.requested_on
        case SubcontractApproved():
            return f"subcontract:{payload.subcontract_id}", payload.approved_on
        case SubcontractRejected():
            return f"subcontract:{payload.subcontract_id}", payload.rejected_on
        case CertificateSubmitted():
            return f"certificate:{payload.certificate_id}", payload.submitted_on
        case ClaimFiled():
            return f"claim:{payload.claim_id}", payload.filed_on
        case ClaimSettled():
            return f"claim:{payload.claim_id}", payload.settled_on
        case _:
            return None


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
