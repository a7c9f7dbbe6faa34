"""Payloads of sanction events (suspensions, debarments, warnings) and damage claims."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self

from pydantic import Field, StringConstraints, model_validator

from services.events.base import (
    Identifier,
    LaterFields,
    LocalDate,
    NonEmptyText,
    Payload,
    ShortText,
    refusal,
    refuse_duplicates,
)
from services.events.contract import AMOUNT_DESCRIPTION, Amount, Currency
from services.events.error_words import worded

# Grounds are keys of the suspension policy, which is data: any lowercase identifier is
# accepted here and the registry checks it against the policy in force.
GroundCode = Annotated[
    str,
    StringConstraints(
        pattern=worded(
            r"^[a-z][a-z0-9_]{1,63}$",
            "give a ground's code of the policy: 2 to 64 lowercase letters a–z, digits and _,"
            " starting with a letter",
        )
    ),
]

# The four ways to say how long a sanction lasts; exactly one describes a period.
PERIOD_FIELDS: tuple[str, ...] = ("duration_months", "duration_days", "ends_on", "indefinite")
_PERIOD_HELP = "give exactly one of duration_months, duration_days, ends_on or indefinite=true"


class SanctionKind(StrEnum):
    """Bid suspension (入札参加停止) and debarment bar a vendor; a warning does not."""

    BID_SUSPENSION = "bid_suspension"
    DEBARMENT = "debarment"
    WARNING = "warning"


def scope_key(name: str) -> str:
    """Agency and category names compare after NFKC, case folding and trimming: "City IT"
    and "city it" are one agency (a formatting difference must not make a vendor eligible,
    nor leave a plan unopened). Every service that reads a sanction's scope compares so."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def in_scope(scope: Sequence[str] | None, asked: str | None) -> bool:
    """Whether a sanction scoped to `scope` (None: every one) covers `asked`; an unnamed
    agency or category counts as covered: never answer "eligible" wrongly."""
    if scope is None or asked is None:
        return True
    return scope_key(asked) in {scope_key(name) for name in scope}


def _period_fields_given(
    duration_months: int | None,
    duration_days: int | None,
    ends_on: LocalDate | None,
    indefinite: bool,
) -> list[str]:
    values = (duration_months, duration_days, ends_on, indefinite or None)
    return [name for name, value in zip(PERIOD_FIELDS, values, strict=True) if value is not None]


def _check_scope(name: str, values: list[str] | None) -> None:
    # None means "everywhere"; an empty list would mean "nowhere", which is never intended
    # and would silently make the sanction void, so it is refused.
    if values is None:
        return
    if not values:
        raise refusal(
            "empty_scope",
            f"{name}: an empty list would cover nothing; to cover every one, leave {name} "
            "out when imposing, or use cover_all when amending",
        )
    refuse_duplicates(name, values)


_MONTHS = "Length in calendar months, counted by the Civil Code (arts. 140–143) from starts_on."
_DAYS = "Length in days, starts_on being day 1."
_ENDS_ON = "Last day the sanction applies (inclusive)."
_INDEFINITE = "True when the sanction has no end until lifted."
_AGENCIES = "Agencies it applies to; null (or left out) means every agency."
_CATEGORIES = "Procurement categories it applies to; null (or left out) means every category."


class SanctionImposed(Payload):
    """An authority imposes a sanction on the vendor (e.g. an 18-month bid suspension).

    The period is given in exactly one way: months, days, an end date, or indefinite.
    """

    event_type: ClassVar[str] = "sanction.imposed"

    sanction_id: Identifier
    kind: SanctionKind
    authority: ShortText = Field(description="Who decided it, e.g. the city's procurement.")
    decided_on: LocalDate
    starts_on: LocalDate = Field(description="First day in force; not before decided_on.")
    duration_months: int | None = Field(default=None, ge=1, le=600, description=_MONTHS)
    duration_days: int | None = Field(default=None, ge=1, le=36500, description=_DAYS)
    ends_on: LocalDate | None = Field(default=None, description=_ENDS_ON)
    indefinite: bool = Field(default=False, description=_INDEFINITE)
    agencies: list[ShortText] | None = Field(default=None, description=_AGENCIES)
    categories: list[ShortText] | None = Field(default=None, description=_CATEGORIES)
    covers_affiliates: bool = Field(
        default=False, description="True when it also bars the vendor's parents/subsidiaries."
    )
    grounds: list[GroundCode] = Field(
        min_length=1,
        description="Grounds under the suspension policy, e.g. breach_of_contract, "
        "dishonest_conduct, information_leakage, bribery.",
    )
    serious: bool = Field(
        default=False, description="True when the policy's aggravation for serious cases applies."
    )
    incident_ids: list[Identifier] = Field(default=[], description="Incidents it answers.")
    reason: NonEmptyText | None = None
    policy_override_reason: NonEmptyText | None = Field(
        default=None, description="Why the period departs from the suspension policy's range."
    )

    @model_validator(mode="after")
    def _check_period_and_scope(self) -> Self:
        given = _period_fields_given(
            self.duration_months, self.duration_days, self.ends_on, self.indefinite
        )
        if len(given) != 1:
            got = " and ".join(given) if given else "none"
            raise refusal("period_not_one_way", f"sanction period: {_PERIOD_HELP}; got {got}")
        if self.starts_on < self.decided_on:
            raise refusal(
                "starts_before_decision",
                f"starts_on: {self.starts_on} is before decided_on {self.decided_on}; "
                "a sanction starts on or after the day it is decided",
            )
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise refusal(
                "ends_before_start",
                f"ends_on: {self.ends_on} is before starts_on {self.starts_on}; "
                "ends_on is the last day in force",
            )
        _check_scope("agencies", self.agencies)
        _check_scope("categories", self.categories)
        for name in ("grounds", "incident_ids"):
            refuse_duplicates(name, getattr(self, name))
        return self


class SanctionScope(StrEnum):
    """The two ways a sanction's reach can be restricted."""

    AGENCIES = "agencies"
    CATEGORIES = "categories"


class SanctionAmended(Payload, LaterFields):
    """An imposed sanction changes: its period, where it applies, or whether it covers affiliates.

    A field left out (or null) is unchanged. A new period (at most one of the four period
    fields) replaces the old one and counts from the sanction's starts_on. `cover_all` lifts a
    restriction to some agencies or categories: the sanction then applies to every one.
    `changes()` returns exactly what changes.
    """

    event_type: ClassVar[str] = "sanction.amended"
    ADDED_LATER = frozenset({"policy_override_reason"})

    sanction_id: Identifier
    effective_on: LocalDate = Field(description="First day the amendment applies.")
    duration_months: int | None = Field(default=None, ge=1, le=600, description=_MONTHS)
    duration_days: int | None = Field(default=None, ge=1, le=36500, description=_DAYS)
    ends_on: LocalDate | None = Field(default=None, description=_ENDS_ON)
    indefinite: bool = Field(default=False, description=_INDEFINITE)
    agencies: list[ShortText] | None = Field(
        default=None, description="The agencies it now applies to; null: unchanged."
    )
    categories: list[ShortText] | None = Field(
        default=None, description="The categories it now applies to; null: unchanged."
    )
    cover_all: list[SanctionScope] = Field(
        default=[],
        description="agencies and/or categories: the sanction now applies to every one.",
    )
    covers_affiliates: bool | None = Field(
        default=None, description="New affiliate coverage; null: unchanged."
    )
    reason: NonEmptyText
    policy_override_reason: NonEmptyText | None = Field(
        default=None,
        description="Why the new period departs from the suspension policy's range (as"
        " an imposition's would need one).",
    )

    def changes(self) -> dict[str, Any]:
        """The fields this event changes, with their new values (None: every one)."""
        changed: dict[str, Any] = {}
        for name in PERIOD_FIELDS:
            value = getattr(self, name)
            if value is not None and value is not False:
                changed[name] = value
        for name in ("agencies", "categories", "covers_affiliates"):
            if getattr(self, name) is not None:
                changed[name] = getattr(self, name)
        changed.update({scope.value: None for scope in self.cover_all})
        return changed

    @model_validator(mode="after")
    def _check_changes(self) -> Self:
        given = _period_fields_given(
            self.duration_months, self.duration_days, self.ends_on, self.indefinite
        )
        if len(given) > 1:
            raise refusal(
                "period_not_one_way", f"sanction period: {_PERIOD_HELP}; got {' and '.join(given)}"
            )
        refuse_duplicates("cover_all", (scope.value for scope in self.cover_all))
        both = [scope.value for scope in self.cover_all if getattr(self, scope.value) is not None]
        if both:
            raise refusal(
                "listed_and_covered",
                f"cover_all: {', '.join(both)} cannot be both listed and covered entirely",
            )
        if not self.changes():
            raise refusal(
                "no_change",
                "no change given: set a new period (duration_months, duration_days, ends_on "
                "or indefinite=true), agencies, categories, cover_all or covers_affiliates",
            )
        _check_scope("agencies", self.agencies)
        _check_scope("categories", self.categories)
        return self


class SanctionLifted(Payload):
    """A sanction stops applying before its end (or, if indefinite, at all)."""

    event_type: ClassVar[str] = "sanction.lifted"

    sanction_id: Identifier
    effective_on: LocalDate = Field(description="First day the sanction no longer applies.")
    reason: NonEmptyText


class ClaimFiled(Payload):
    """A claim for damages is filed against the vendor."""

    event_type: ClassVar[str] = "claim.filed"

    claim_id: Identifier
    filed_on: LocalDate
    amount: Amount = Field(description="Amount claimed. " + AMOUNT_DESCRIPTION)
    currency: Currency = "JPY"
    incident_id: Identifier | None = Field(default=None, description="The incident it is for.")
    contract_id: Identifier | None = Field(default=None, description="The contract it is under.")
    description: NonEmptyText


class ClaimSettled(Payload):
    """A claim for damages is settled for an amount."""

    event_type: ClassVar[str] = "claim.settled"

    claim_id: Identifier
    settled_on: LocalDate
    amount: Amount = Field(description="Amount settled. " + AMOUNT_DESCRIPTION)
    currency: Currency = "JPY"
