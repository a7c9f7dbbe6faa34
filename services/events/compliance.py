"""Payloads of compliance events: certificates the vendor submits and audits of its work."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Self

from pydantic import Field, model_validator

from services.events.base import Identifier, LocalDate, NonEmptyText, Payload, ShortText, refusal


class CertificateKind(StrEnum):
    """The documents agencies require of IT vendors since vendor B's case (README.md)."""

    DATA_ERASURE = "data_erasure"
    MEDIA_DISPOSAL = "media_disposal"
    SUBCONTRACTOR_FITNESS = "subcontractor_fitness"


class CertificateSubmitted(Payload):
    """The vendor submits a certificate: data erased, media disposed of, or a subcontractor fit.

    A subcontractor-fitness certificate is about one subcontract, so it names it.
    """

    event_type: ClassVar[str] = "certificate.submitted"

    certificate_id: Identifier
    kind: CertificateKind
    contract_id: Identifier
    subcontract_id: Identifier | None = Field(
        default=None, description="The subcontract it proves fit; required for that kind."
    )
    submitted_on: LocalDate
    issued_by: ShortText = Field(description="Who issued the certificate.")

    @model_validator(mode="after")
    def _check_subcontract(self) -> Self:
        if self.kind is CertificateKind.SUBCONTRACTOR_FITNESS and self.subcontract_id is None:
            raise refusal(
                "subcontract_required",
                "subcontract_id: required when kind is 'subcontractor_fitness', "
                "to say which subcontract the certificate proves fit",
            )
        return self


class AuditOutcome(StrEnum):
    PASSED = "passed"
    FINDINGS = "findings"
    FAILED = "failed"


class AuditCompleted(Payload):
    """An audit of the vendor (or of one of its contracts) is completed with an outcome."""

    event_type: ClassVar[str] = "audit.completed"

    audit_id: Identifier
    completed_on: LocalDate
    contract_id: Identifier | None = Field(
        default=None, description="The contract audited; null for an audit of the vendor."
    )
    outcome: AuditOutcome
    findings: list[NonEmptyText] = Field(
        default=[], description="What the audit found; required unless the outcome is passed."
    )

    @model_validator(mode="after")
    def _check_findings(self) -> Self:
        if self.outcome is not AuditOutcome.PASSED and not self.findings:
            raise refusal(
                "findings_required",
                f"findings: required when outcome is '{self.outcome.value}', "
                "to say what the audit found",
            )
        return self
