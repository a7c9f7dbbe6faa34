"""Payloads of watchlists and alerts: an agency's saved list of vendors to watch, the alert
the alerts service raises when a watched vendor's eligibility changes (or the agency starts
watching a vendor already barred there, or awards a contract to a vendor barred from it), and
its acknowledgement.

A watchlist is keyed by `watchlist_key(agency, name)` (not a vendor): every save of one list
stays in order on one partition. An acknowledgement is keyed by the alert's vendor, so it
follows the change that raised the alert on that vendor's partition.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import ClassVar, Self

from pydantic import Field, model_validator

from services.events.base import (
    Identifier,
    LaterFields,
    LocalDate,
    Payload,
    ShortNote,
    ShortText,
    StrictModel,
    Timestamp,
    refusal,
    refuse_duplicates,
)
from services.events.emitted import EligibilityReasonRef

# A bidder list saved as a watchlist is screened in one request: the same bound.
MAX_WATCHED = 5000
# Names the key of a watchlist's events (uuid5 of agency and name: any text is allowed there).
_WATCHLISTS = uuid.UUID("6f1d8f55-3f0e-4f7c-9a43-2b8f0c6d0a11")


def watchlist_id(agency: str, name: str) -> uuid.UUID:
    """A watchlist's own id: the same for every save of the agency's list of that name."""
    return uuid.uuid5(_WATCHLISTS, agency + "\x1f" + name)


def watchlist_key(agency: str, name: str) -> str:
    """The `vendor_id` (partition key) of a watchlist's events."""
    return f"watchlist:{watchlist_id(agency, name)}"


class WatchlistSaved(Payload):
    """An agency's named watchlist, as a whole: a later save of the same name replaces it."""

    event_type: ClassVar[str] = "watchlist.saved"

    agency: ShortText = Field(description="The agency whose watchlist it is.")
    name: ShortText = Field(description="The watchlist's name, unique within the agency.")
    vendor_ids: list[Identifier] = Field(
        max_length=MAX_WATCHED,
        description="The vendors watched, by id; empty empties the list.",
    )

    @model_validator(mode="after")
    def _check_vendors(self) -> Self:
        refuse_duplicates("vendor_ids", self.vendor_ids)
        return self


class AlertChange(StrEnum):
    BARRED = "barred"
    PERIOD_CHANGED = "period_changed"
    LIFTED = "lifted"
    POSSIBLE_MATCH = "possible_match"
    # The agency started watching a vendor barred there already: a bar nobody announced to it.
    ALREADY_BARRED = "already_barred"
    # The agency awarded a contract to a vendor barred from it on the award day: recorded (an
    # award is a fact), and told.
    AWARDED_WHILE_BARRED = "awarded_while_barred"


class PossibleMatch(StrictModel):
    """A newly imported list entry that may be the watched vendor (an import's review
    candidate, in its `import.reported` or a listing after it): nothing was merged."""

    vendor_id: Identifier = Field(description="The vendor the imported entry became.")
    name: ShortText = Field(description="The entry's name as the list gives it.")
    source: ShortText = Field(description="The list imported, e.g. worldbank.")
    line: int = Field(ge=1, description="The entry's line in the imported file.")
    matched_name: ShortText = Field(description="The watched vendor's name it resembles.")
    score: float = Field(ge=0, le=100, allow_inf_nan=False, description="Name score, 0–100.")
    why: ShortText = Field(description="Why the import did not join them.")


class BarredAward(StrictModel):
    """The contract an agency awarded to a vendor barred from it on the award day (the
    contract's `contract.awarded`: its agency and category, as sanctions scope them)."""

    contract_id: Identifier
    title: ShortText = Field(description="What the contract is for.")
    category: ShortText = Field(description="Its procurement category.")


class AlertRaised(Payload, LaterFields):
    """A watched vendor became barred at the agency, had what bars it there changed, or was
    cleared there, or was barred there already when the agency started watching it, or a newly
    imported list entry may be it; one per agency watching it and change. Or the agency awarded
    the vendor a contract on a day it was barred from it, one per award (emitted by the alerts
    service; the envelope's event_id is the alert id)."""

    event_type: ClassVar[str] = "alert.raised"
    # `extended_by`, `award` and `upcoming` came after alerts were stored: one without them is
    # written as it was.
    ADDED_LATER = frozenset({"extended_by", "award", "upcoming"})

    alert_id: uuid.UUID = Field(description="Same for every retry and replay of this alert.")
    agency: ShortText = Field(description="The agency alerted.")
    change: AlertChange
    as_of: LocalDate = Field(
        description="The announcement's as_of (the day the change was judged on: the day the"
        " log recorded what caused it, or the calendar's; a sanction recorded late bars from"
        " its reason's starts_on); for already_barred, the day the watch started (the day the"
        " log recorded the save or the award that started it); for awarded_while_barred, the"
        " award's day (raised_at says when it was told: later, for an award a sanction"
        " recorded afterwards reaches back to)."
    )
    eligible_again_on: LocalDate | None = Field(
        description="First day it may bid at this agency again; null when it may, or when no"
        " end is known."
    )
    reasons: list[EligibilityReasonRef] = Field(
        description="Every sanction barring the vendor at this agency; empty when lifted there."
        " For awarded_while_barred, those barring it from the contract's category on the"
        " award's day, and `eligible_again_on` is the first day after it that it may bid for"
        " such a contract there."
    )
    extended_by: list[EligibilityReasonRef] = Field(
        default_factory=list,
        description="Sanctions recorded to bar the vendor at this agency later that keep it"
        " barred past the end of `reasons` without a free day between, each from the first"
        " day it bars, in order: with `reasons`, what makes `eligible_again_on`. Empty when"
        " the reasons alone make it (and in alerts raised before it was kept).",
    )
    upcoming: list[EligibilityReasonRef] = Field(
        default_factory=list,
        description="For lifted: the sanctions already recorded to bar the vendor at this agency"
        " again later, each from the first day it bars (free to bid now, not for good). Empty"
        " otherwise, and in alerts raised before it was kept.",
    )
    watchlists: list[ShortText] = Field(
        description="The agency's watchlists naming the vendor (`running contracts` for the"
        " automatic one); at least one, but for awarded_while_barred, which is told to the"
        " awarding agency whether it watches the vendor or not.",
    )
    cause_event_id: uuid.UUID = Field(
        description="The vendor.eligibility_changed it comes from, the import.reported whose"
        " review candidate it is (whichever event listed the candidate), for already_barred"
        " the watchlist.saved or contract.awarded that started the watch, for"
        " awarded_while_barred the contract.awarded (told when it was recorded, or when a"
        " sanction recorded afterwards that bars its day was announced)."
    )
    raised_at: Timestamp = Field(description="When the log recorded that change.")
    possible_match: PossibleMatch | None = Field(
        default=None, description="The imported entry, for a possible_match; null otherwise."
    )
    award: BarredAward | None = Field(
        default=None,
        description="The contract awarded, for an awarded_while_barred; absent otherwise.",
    )

    @model_validator(mode="after")
    def _check_by_change(self) -> Self:
        if (self.change is AlertChange.POSSIBLE_MATCH) != (self.possible_match is not None):
            raise refusal(
                "possible_match_mismatch",
                "possible_match: given for a possible_match change, and only then",
            )
        awarded = self.change is AlertChange.AWARDED_WHILE_BARRED
        if awarded != (self.award is not None):
            raise refusal(
                "award_mismatch", "award: given for an awarded_while_barred change, and only then"
            )
        if not self.watchlists and not awarded:
            raise refusal(
                "too_short",
                "watchlists: name at least one; only an awarded_while_barred may name none",
            )
        return self


class AlertAcknowledged(Payload):
    """Someone of the alerted agency has seen the alert."""

    event_type: ClassVar[str] = "alert.acknowledged"

    alert_id: uuid.UUID
    note: ShortNote | None = Field(default=None, description="What was done about it.")
