"""Payloads of contract events: awards, amendments, ends, and the subcontracting chain."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Self

from pydantic import Field, StringConstraints, model_validator

from services.events.base import (
    Identifier,
    LocalDate,
    NonEmptyText,
    Payload,
    ShortText,
    refusal,
    refuse_duplicates,
)
from services.events.error_words import worded

# ISO 4217 alphabetic code (JPY, USD, EUR).
CurrencyCode = Annotated[
    str,
    StringConstraints(
        pattern=worded(r"^[A-Z]{3}$", "give a three-letter ISO 4217 code such as JPY (capitals)")
    ),
]

# Amounts are integers so that sums are exact: they count the currency's smallest unit
# (ISO 4217 minor unit). The yen has no minor unit, so for JPY the amount is in yen.
# The largest PostgreSQL bigint: a larger amount could be accepted here and then not stored.
MAX_AMOUNT = 2**63 - 1
AMOUNT_DESCRIPTION = (
    "Amount as an integer in the currency's smallest unit (ISO 4217 minor unit): "
    "yen for JPY, which has no minor unit; cents for USD."
)
Amount = Annotated[int, Field(ge=0, le=MAX_AMOUNT)]
Currency = Annotated[CurrencyCode, Field(description="ISO 4217 currency code.")]


class Criticality(StrEnum):
    """How much harm an interrupted contract does; it orders migrations."""

    RESIDENT_FACING = "resident_facing"
    LEGALLY_MANDATED = "legally_mandated"
    INTERNAL = "internal"


class ContractAwarded(Payload):
    """An agency awards a contract to the vendor."""

    event_type: ClassVar[str] = "contract.awarded"

    contract_id: Identifier
    agency: ShortText = Field(description="The contracting agency or department.")
    title: ShortText = Field(description="What the contract is for.")
    category: ShortText = Field(description="Procurement category, as sanctions scope it.")
    criticality: Criticality
    awarded_on: LocalDate
    starts_on: LocalDate = Field(description="First day of the contract term.")
    ends_on: LocalDate = Field(description="Last day of the contract term (inclusive).")
    amount: Amount = Field(description=AMOUNT_DESCRIPTION)
    currency: Currency = "JPY"

    @model_validator(mode="after")
    def _check_term(self) -> Self:
        if self.ends_on < self.starts_on:
            raise refusal(
                "ends_before_start",
                f"ends_on: {self.ends_on} is before starts_on {self.starts_on}; "
                "a term ends on or after the day it starts",
            )
        return self


class ContractAmended(Payload):
    """The term or amount of a running contract changes."""

    event_type: ClassVar[str] = "contract.amended"

    contract_id: Identifier
    effective_on: LocalDate = Field(description="First day the amendment applies.")
    ends_on: LocalDate | None = Field(default=None, description="New last day of the term.")
    amount: Amount | None = Field(
        default=None, description="New amount, same currency. " + AMOUNT_DESCRIPTION
    )
    reason: NonEmptyText

    @model_validator(mode="after")
    def _check_change(self) -> Self:
        if self.ends_on is None and self.amount is None:
            raise refusal("no_change", "no change given: set ends_on, amount or both")
        return self


class TerminationReason(StrEnum):
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    MIGRATED = "migrated"
    OTHER = "other"


class ContractTerminated(Payload):
    """A contract ends: it ran to term, was cancelled, or was migrated to another vendor."""

    event_type: ClassVar[str] = "contract.terminated"

    contract_id: Identifier
    terminated_on: LocalDate = Field(description="Last day the contract is in force.")
    reason: TerminationReason
    note: NonEmptyText | None = Field(default=None, description="Required when reason is other.")

    @model_validator(mode="after")
    def _check_note(self) -> Self:
        if self.reason is TerminationReason.OTHER and self.note is None:
            raise refusal(
                "note_required", "note: required when reason is 'other', to say what the reason is"
            )
        return self


class SubcontractRequested(Payload):
    """The vendor asks the agency's approval to subcontract part of a contract.

    With `parent_subcontract_id` it is a re-subcontract of that subcontract: the chain of
    subcontractors is the chain of parents.
    """

    event_type: ClassVar[str] = "contract.subcontract_requested"

    contract_id: Identifier
    subcontract_id: Identifier
    subcontractor_vendor_id: Identifier = Field(description="The vendor doing the work.")
    parent_subcontract_id: Identifier | None = Field(
        default=None, description="The subcontract this one re-subcontracts, if any."
    )
    scope: NonEmptyText = Field(description="The work subcontracted.")
    requested_on: LocalDate

    @model_validator(mode="after")
    def _check_chain(self) -> Self:
        if self.parent_subcontract_id == self.subcontract_id:
            raise refusal(
                "own_parent", "parent_subcontract_id: a subcontract cannot be its own parent"
            )
        return self


class SubcontractApproved(Payload):
    """The agency approves a requested subcontract, on the strength of fitness certificates."""

    event_type: ClassVar[str] = "contract.subcontract_approved"

    contract_id: Identifier
    subcontract_id: Identifier
    approved_on: LocalDate
    fitness_certificate_ids: list[Identifier] = Field(
        default=[], description="Certificates proving the subcontractor's fitness."
    )

    @model_validator(mode="after")
    def _check_certificates(self) -> Self:
        refuse_duplicates("fitness_certificate_ids", self.fitness_certificate_ids)
        return self


class SubcontractRejected(Payload):
    """The agency refuses a requested subcontract."""

    event_type: ClassVar[str] = "contract.subcontract_rejected"

    contract_id: Identifier
    subcontract_id: Identifier
    rejected_on: LocalDate
    reason: NonEmptyText
