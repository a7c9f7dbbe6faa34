"""Officers' review decisions as a screening honours them (pure).

A decision is about a bidder as screened, by name, and one vendor. It is found again by the
bidder's name and address in their compared forms (`key`): the same firm written with or
without its legal form, in full-width digits, … A CONFIRMED decision answers the bidder as
that vendor; a NOT_SAME one drops that vendor from the bidder's candidates until the vendor's
record changes (a new or amended sanction, a new name or identifier, a confirmation's among
them: the repository finds the change, `voided_why` says it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from services.events.match_review import MatchDecision, VendorMatchReviewed
from services.events.sanction import SanctionAmended, SanctionImposed
from services.events.vendor import VendorRenamed, VendorUpdated
from services.registry.bidder_screening.model import NameMatch, Review, Voiding
from services.registry.domain.names import address_tokens, fold_accents, name_tokens

# The vendor's events that void a NOT_SAME decision made before them; vendor.updated only
# when it changes a name or the identifiers (`NAMING_FIELDS`), not for a country alone, and a
# confirmation only when it gave the vendor a new alias or identifier.
VOIDING_TYPES = (
    SanctionImposed.event_type,
    SanctionAmended.event_type,
    VendorRenamed.event_type,
    VendorUpdated.event_type,
    VendorMatchReviewed.event_type,
)
NAMING_FIELDS = ("legal_name", "name_kana", "name_en", "aliases", "identifiers")


class ReviewKey(NamedTuple):
    name: str
    address: str  # "" without an address


def key(name: str, address: str | None) -> ReviewKey:
    """The bidder's name and address as decisions are stored and found by."""
    return ReviewKey(name_tokens(fold_accents(name)), address_tokens(address) if address else "")


def confirmed(reviews: Sequence[Review]) -> Review | None:
    """The decision that the bidder is a vendor, the latest if several (newest first)."""
    return next((r for r in reviews if r.decision is MatchDecision.CONFIRMED), None)


def not_flagged(reviews: Sequence[Review], matches: Sequence[NameMatch]) -> list[NameMatch]:
    """The matches no NOT_SAME decision in force sets aside."""
    aside = {
        r.vendor_id for r in reviews if r.decision is MatchDecision.NOT_SAME and r.voided_by is None
    }
    return [m for m in matches if m.vendor_id not in aside]


def voided_why(voiding: Voiding) -> str:
    """Why a NOT_SAME decision is no longer honoured, in the officer's words."""
    when = voiding.recorded_at.strftime("%Y-%m-%d %H:%M %Z").strip()
    change = {
        SanctionImposed.event_type: f"a new sanction {voiding.sanction_id} was imposed on the"
        " vendor",
        SanctionAmended.event_type: f"the vendor's sanction {voiding.sanction_id} was amended",
        VendorRenamed.event_type: "the vendor was renamed",
        VendorUpdated.event_type: "the vendor's names or identifiers changed",
        VendorMatchReviewed.event_type: "a confirmed review gave the vendor a new name or"
        " identifier",
    }[voiding.event_type]
    return f"voided: {change} (event {voiding.event_id}, recorded {when}); review it again"
