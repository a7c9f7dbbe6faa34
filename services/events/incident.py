"""Payloads of breach events: an incident is reported, investigated and closed."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Self

from pydantic import Field, model_validator

from services.events.base import (
    Identifier,
    LocalDate,
    NonEmptyText,
    Payload,
    refusal,
    refuse_duplicates,
)


class IncidentKind(StrEnum):
    DATA_LOSS = "data_loss"
    DATA_LEAK = "data_leak"
    UNAPPROVED_SUBCONTRACTING = "unapproved_subcontracting"
    SECURITY_BREACH = "security_breach"
    SERVICE_FAILURE = "service_failure"
    OTHER = "other"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class IncidentReported(Payload):
    """An incident involving the vendor is reported, e.g. a lost USB memory of resident data."""

    event_type: ClassVar[str] = "incident.reported"

    incident_id: Identifier
    kind: IncidentKind
    severity: Severity
    occurred_on: LocalDate = Field(description="Day the incident happened (or began).")
    reported_on: LocalDate = Field(description="Day it was reported; not before occurred_on.")
    contract_id: Identifier | None = Field(
        default=None, description="The contract under which it happened, if any."
    )
    caused_by_vendor_id: Identifier | None = Field(
        default=None,
        description="A subcontractor that caused it on this vendor's contract; the vendor "
        "(the prime contractor) stays fully responsible.",
    )
    description: NonEmptyText

    @model_validator(mode="after")
    def _check_dates(self) -> Self:
        if self.reported_on < self.occurred_on:
            raise refusal(
                "reported_before_occurred",
                f"reported_on: {self.reported_on} is before occurred_on {self.occurred_on}; "
                "an incident cannot be reported before it happens",
            )
        return self


class LeakFinding(StrEnum):
    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"
    PENDING = "pending"


class ControlFailure(StrEnum):
    """A safeguard the contract required that was not in place."""

    NO_LOCKED_CASE = "no_locked_case"
    NO_SUPERVISION = "no_supervision"
    UNAPPROVED_RESUBCONTRACTING = "unapproved_resubcontracting"
    NO_ERASURE_CERTIFICATE = "no_erasure_certificate"
    OTHER = "other"


class IncidentInvestigated(Payload):
    """An investigation of an incident reports its findings (leak, subcontracting, controls)."""

    event_type: ClassVar[str] = "incident.investigated"

    incident_id: Identifier
    investigated_on: LocalDate = Field(description="Day the findings were established.")
    leak: LeakFinding = Field(description="Whether data demonstrably left control.")
    unapproved_subcontracting_found: bool
    control_failures: list[ControlFailure] = Field(
        default=[], description="Required safeguards found missing; each at most once."
    )
    summary: NonEmptyText

    @model_validator(mode="after")
    def _check_findings(self) -> Self:
        refuse_duplicates("control_failures", (f.value for f in self.control_failures))
        # The two findings describe the same fact; contradicting ones would make the
        # vendor's risk depend on which field a reader looks at.
        if (
            ControlFailure.UNAPPROVED_RESUBCONTRACTING in self.control_failures
            and not self.unapproved_subcontracting_found
        ):
            raise refusal(
                "findings_disagree",
                "unapproved_subcontracting_found: must be true when control_failures "
                "lists unapproved_resubcontracting",
            )
        return self


class IncidentClosed(Payload):
    """An incident is closed; nothing more is expected on it."""

    event_type: ClassVar[str] = "incident.closed"

    incident_id: Identifier
    closed_on: LocalDate
    resolution: NonEmptyText
