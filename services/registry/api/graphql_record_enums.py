"""The closed sets of the registry's records as the API names and describes them: a
subcontract's, an incident's and a claim's status, a contract's termination reason, an
incident's kind, severity, leak finding and control failures, a certificate's kind."""

from __future__ import annotations

from services.events.compliance import CertificateKind
from services.events.contract import TerminationReason
from services.events.incident import ControlFailure, IncidentKind, LeakFinding, Severity
from services.platform.graphql.descriptions import described_enum
from services.registry.storage.record_repository import (
    ClaimStatus,
    IncidentStatus,
    SubcontractStatus,
)

SubcontractState = described_enum(
    SubcontractStatus,
    name="SubcontractStatus",
    description="Where a subcontract stands with the agency.",
    values={
        "REQUESTED": "Asked for; the agency has not decided.",
        "APPROVED": "The agency approved it.",
        "REJECTED": "The agency refused it (the reason is in `reason`).",
    },
)
IncidentState = described_enum(
    IncidentStatus,
    name="IncidentStatus",
    description="How far an incident has got.",
    values={
        "REPORTED": "Reported; no findings yet.",
        "INVESTIGATED": "An investigation reported its findings; not closed.",
        "CLOSED": "Closed; nothing more is expected on it.",
    },
)
ClaimState = described_enum(
    ClaimStatus,
    name="ClaimStatus",
    description="Whether a claim for damages is still open.",
    values={
        "FILED": "Filed; not settled yet.",
        "SETTLED": "Settled (for `settledAmount`).",
    },
)
described_enum(
    TerminationReason,
    name="TerminationReason",
    description="Why a contract ended.",
    values={
        "EXPIRED": "It ran to the end of its term.",
        "CANCELLED": "The agency cancelled it before its end.",
        "MIGRATED": "Its work moved to another vendor (a migration).",
        "OTHER": "Another reason, given in the termination's note.",
    },
)
described_enum(
    IncidentKind,
    name="IncidentKind",
    description="What happened in an incident.",
    values={
        "DATA_LOSS": "Data was lost (e.g. a lost USB memory of resident data).",
        "DATA_LEAK": "Data left the vendor's control.",
        "UNAPPROVED_SUBCONTRACTING": "Work was subcontracted without the agency's approval.",
        "SECURITY_BREACH": "The vendor's security was breached.",
        "SERVICE_FAILURE": "The service the vendor provides failed.",
        "OTHER": "Something else (see the description).",
    },
)
described_enum(
    Severity,
    name="Severity",
    description="How serious an incident is, as reported; the more serious, the more it"
    " weighs in the vendor's risk score.",
    values={
        "LOW": "The least serious (fewest risk points).",
        "MEDIUM": "More serious than LOW.",
        "HIGH": "More serious than MEDIUM.",
        "CRITICAL": "The most serious (most risk points).",
    },
)
described_enum(
    LeakFinding,
    name="LeakFinding",
    description="What an investigation found about data leaving control.",
    values={
        "CONFIRMED": "Data demonstrably left control.",
        "NOT_CONFIRMED": "No evidence that data left control.",
        "PENDING": "Not determined yet.",
    },
)
described_enum(
    ControlFailure,
    name="ControlFailure",
    description="A safeguard the contract required that was not in place.",
    values={
        "NO_LOCKED_CASE": "Media carrying data were not kept in a locked case.",
        "NO_SUPERVISION": "Work was not supervised as required.",
        "UNAPPROVED_RESUBCONTRACTING": "Work was re-subcontracted without approval.",
        "NO_ERASURE_CERTIFICATE": "Data were not certified erased.",
        "OTHER": "Another required safeguard (see the summary).",
    },
)
described_enum(
    CertificateKind,
    name="CertificateKind",
    description="A document agencies require of IT vendors.",
    values={
        "DATA_ERASURE": "Data held for a contract were erased.",
        "MEDIA_DISPOSAL": "Media that held data were disposed of.",
        "SUBCONTRACTOR_FITNESS": "A subcontractor is fit for the work (names the subcontract).",
    },
)
