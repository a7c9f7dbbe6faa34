"""What a bidder screening is given and answers (pure data)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum

from services.events.match_review import MatchDecision
from services.registry.domain.eligibility import Eligibility
from services.registry.domain.names import IdentifierKey, Normalisation
from services.registry.name_search.search import NameKind

# One call screens at most this many bidders: one bounded unit of work (as bidEligibilityMany).
MAX_BIDDERS = 5000


class Status(StrEnum):
    ELIGIBLE = "eligible"  # a known vendor nothing bars
    BARRED = "barred"  # a known vendor barred on the day (reasons, eligible again on)
    POSSIBLE_MATCH = "possible_match"  # a name close to a barred vendor's: to be reviewed
    UNKNOWN = "unknown"  # no vendor has the id or identifier; a name close to no barred one
    INVALID = "invalid"  # the bidder's own input is wrong (its `error` says how)


@dataclass(frozen=True)
class Bidder:
    """One line of a bidder list: a reference, and one way to name the firm."""

    ref: str
    vendor_id: str | None = None
    identifier: IdentifierKey | None = None  # as given, not normalised
    name: str | None = None
    country: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class CheckedBidder:
    """A bidder as screened: its identifier normalised, its country upper-cased, or the
    reason it cannot be screened (`error`)."""

    bidder: Bidder
    identifier: IdentifierKey | None = None
    country: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class ScoredName:
    """One name of a candidate vendor against the bidder's name."""

    name: str
    kind: NameKind
    score: float
    normalisations: frozenset[Normalisation]  # of the bidder's name and this one, together


@dataclass(frozen=True)
class NameMatch:
    """A vendor whose names scored at the threshold against a bidder's name."""

    vendor_id: str
    score: float  # its best name's
    names: tuple[ScoredName, ...]  # best first; the first is the matched name
    country: str | None
    word_match: bool  # the words compared as a set or in part scored higher than in order

    @property
    def matched(self) -> ScoredName:
        return self.names[0]


@dataclass(frozen=True)
class Candidate:
    """A vendor barred on the day, or with a bar recorded to come, that a bidder's name may
    be: the match, and the vendor's eligibility (why it is barred, or what will bar it)."""

    match: NameMatch
    eligibility: Eligibility


@dataclass(frozen=True)
class Voiding:
    """The vendor's own event, after a NOT_SAME decision, that voided it."""

    event_type: str  # sanction.imposed, sanction.amended, vendor.renamed, vendor.updated
    event_id: uuid.UUID
    recorded_at: dt.datetime
    sanction_id: str | None  # of a sanction event


@dataclass(frozen=True)
class Review:
    """An officer's latest decision on a bidder (its name and address) and one vendor."""

    event_id: uuid.UUID
    vendor_id: str
    decision: MatchDecision
    reason: str
    recorded_by: str  # the token's subject
    recorded_at: dt.datetime
    voided_by: Voiding | None = None  # NOT_SAME only: no longer honoured, and why


@dataclass(frozen=True)
class BidderAnswer:
    ref: str
    status: Status
    vendor_id: str | None = None  # ELIGIBLE, BARRED
    eligibility: Eligibility | None = None  # ELIGIBLE, BARRED
    candidates: tuple[Candidate, ...] = ()  # POSSIBLE_MATCH, best first
    error: str | None = None  # INVALID
    reviews: tuple[Review, ...] = ()  # by name: the decisions on this name and address
    # By identifier: one the vendor held until an update replaced it, which nobody holds now.
    former_identifier: bool = False
