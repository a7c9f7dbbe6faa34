"""Payloads of the events VendorWatch's own services emit: eligibility and risk (migration's
are in `migration`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum
from typing import ClassVar, Self

from pydantic import Field, model_validator

from services.events.base import (
    Identifier,
    LaterFields,
    LocalDate,
    Payload,
    ShortText,
    StrictModel,
    refusal,
)
from services.events.sanction import SanctionKind, in_scope, scope_key


class EligibilityReasonRef(StrictModel):
    """One sanction that keeps the vendor from bidding, directly or through an affiliate."""

    sanction_id: Identifier
    kind: SanctionKind
    authority: ShortText
    starts_on: LocalDate = Field(description="First day the sanction applies.")
    ends_on: LocalDate | None = Field(
        default=None, description="Last day it applies (inclusive); null when indefinite."
    )
    via_vendor_id: Identifier | None = Field(
        default=None, description="The affiliate the sanction was imposed on, when not this one."
    )
    agencies: list[ShortText] | None = Field(
        default=None, description="The agencies it bars the vendor from; null: every agency."
    )
    categories: list[ShortText] | None = Field(
        default=None, description="The categories it bars the vendor from; null: every one."
    )

    @model_validator(mode="after")
    def _check_period(self) -> Self:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise refusal(
                "ends_before_start", f"ends_on: {self.ends_on} is before starts_on {self.starts_on}"
            )
        return self


def barring_at(
    reasons: Sequence[EligibilityReasonRef], agency: str, category: str | None = None
) -> list[EligibilityReasonRef]:
    """The reasons that bar the vendor at this agency (those without agencies bar it
    everywhere), and for this category when one is named (those without categories bar it
    from every one), names compared as the registry compares them."""
    return [r for r in reasons if in_scope(r.agencies, agency) and in_scope(r.categories, category)]


def reasons_key(reasons: Sequence[EligibilityReasonRef]) -> str:
    """What the reasons say, as one comparable text: the order of the reasons, and of a
    sanction's agencies and categories as its senders listed them (or their case), says
    nothing, so a second reading of the same state is the same text."""

    def said(reason: EligibilityReasonRef) -> str:
        fields = reason.model_dump(mode="json")
        for scope in ("agencies", "categories"):
            if fields[scope] is not None:
                fields[scope] = sorted({scope_key(name) for name in fields[scope]})
        return json.dumps(fields, sort_keys=True, ensure_ascii=False)

    return json.dumps(sorted(said(r) for r in reasons), ensure_ascii=False)


class EligibilityChanged(Payload, LaterFields):
    """The vendor becomes ineligible to bid, or eligible again, as of a date; or the bars
    recorded to begin later change (`upcoming`), which a replacement chosen for a contract
    must not be under either."""

    event_type: ClassVar[str] = "vendor.eligibility_changed"
    # Announcements before it was kept carry no `upcoming`: written only when given, so they
    # are written as they were stored (LaterFields).
    ADDED_LATER = frozenset({"upcoming"})

    # The day judged, not the bar's first day: the registry keeps it as the day its announced
    # state was judged for (the calendar re-judges a vendor once its day is past), the alerts
    # read who watches the vendor on it, and `eligible_again_on` must come after it.
    as_of: LocalDate = Field(
        description="The day the change was judged on, from which it is announced: the day"
        " the log recorded what caused it (a sanction imposed, amended or lifted, an"
        " affiliation), or the day the calendar brought it. A change recorded late holds from"
        " earlier: a sanction recorded after the day it starts bars from its reason's"
        " starts_on."
    )
    eligible: bool
    reasons: list[EligibilityReasonRef] = Field(
        description="Every sanction making the vendor ineligible; empty when eligible."
    )
    eligible_again_on: LocalDate | None = Field(
        description="First day eligible again; null when eligible, or when no end is known."
    )
    upcoming: list[EligibilityReasonRef] = Field(
        default=[],
        description="Every sanction already recorded that will bar the vendor after as_of,"
        " each from the first day it bars then (one barring today too, after a gap);"
        " empty when none (and in announcements made before it was said).",
    )

    @model_validator(mode="after")
    def _check_consistency(self) -> Self:
        if self.eligible:
            if self.reasons:
                raise refusal(
                    "eligible_with_reasons", "reasons: must be empty when eligible is true"
                )
            if self.eligible_again_on is not None:
                raise refusal(
                    "eligible_with_end", "eligible_again_on: must be null when eligible is true"
                )
            return self
        if not self.reasons:
            raise refusal(
                "ineligible_without_reasons",
                "reasons: at least one is required when eligible is false",
            )
        if self.eligible_again_on is not None and self.eligible_again_on <= self.as_of:
            raise refusal(
                "eligible_again_not_later",
                f"eligible_again_on: {self.eligible_again_on} is not after as_of {self.as_of}",
            )
        return self


class RiskBand(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class RiskChanged(Payload, LaterFields):
    """The vendor's risk score changed; `moved_factors` says why."""

    event_type: ClassVar[str] = "risk.changed"
    # Announcements before it was said carry no `as_of`: written only when given, so they are
    # written as they were stored (LaterFields).
    ADDED_LATER = frozenset({"as_of"})

    model_version: ShortText = Field(description="Version of the scoring model used.")
    old_score: float | None = Field(
        default=None,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="The score of the vendor's last announcement; null for its first.",
    )
    new_score: float = Field(ge=0, le=100, allow_inf_nan=False)
    old_band: RiskBand | None = Field(
        default=None, description="The band of the vendor's last announcement; null for its first."
    )
    new_band: RiskBand
    # Measured from what `old_score` is, the last announcement: an announcement is read
    # against the one before it in the vendor's events, scores between them unannounced.
    moved_factors: list[ShortText] = Field(
        description="Factors whose contribution changed since the vendor's last announcement"
        " (`old_score`), appearing or vanishing included; in its first (`old_score` null),"
        " every factor with points, none having been announced before, not only those its"
        " last event moved."
    )
    # The score's day is the risk service's today when it scored (after an event, in the
    # daily refresh, after a concentration moved), which `occurred_at` does not tell for
    # sure: read in the registry's time zone as configured when read, it would move with a
    # change of that setting, and the service takes the day and the instant apart.
    as_of: LocalDate | None = Field(
        default=None,
        description="The day `new_score` is the score of (the risk service's today when it"
        " scored it: `riskScore(asOf:)` of that day, as it stood then); null in announcements"
        " made before it was said.",
    )

    @model_validator(mode="after")
    def _check_old(self) -> Self:
        if (self.old_score is None) != (self.old_band is None):
            raise refusal(
                "old_score_and_band",
                "old_score, old_band: give both (a previous score existed) or neither"
                " (first score)",
            )
        return self
