"""Each bidder's input checked on its own (pure): a mistake in one line of a bidder list is
that bidder's answer (INVALID, saying which field and why), never the whole request's."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from services.events.vendor import identifier_value
from services.platform.wording import plural
from services.registry.bidder_screening.model import MAX_BIDDERS, Bidder, CheckedBidder
from services.registry.domain.countries import COUNTRIES, not_a_country
from services.registry.domain.names import (
    name_length_problem,
    normalize_identifier,
    normalize_name,
)

# Repeated refs named in a refusal, at most: the rest are counted.
NAMED_REPEATS = 10


class BidderListRefused(ValueError):
    """The request's error, not a bidder's: more bidders than one call screens, or a ref
    given to two of them (the client could not tell their answers apart)."""


def checked(bidders: Sequence[Bidder]) -> list[CheckedBidder]:
    """Every bidder checked, in order; raises BidderListRefused above MAX_BIDDERS or for a
    repeated ref."""
    if len(bidders) > MAX_BIDDERS:
        raise BidderListRefused(
            f"bidders: {plural(len(bidders), 'bidder', grouped=True)} in one call;"
            f" the limit is {MAX_BIDDERS:,}"
        )
    repeated = [repr(ref) for ref, count in Counter(b.ref for b in bidders).items() if count > 1]
    if repeated:
        named = ", ".join(repeated[:NAMED_REPEATS])
        more = len(repeated) - NAMED_REPEATS
        named += f" and {more} more" if more > 0 else ""
        raise BidderListRefused(
            f"bidders: duplicate refs {named}; a ref names one bidder, to tell its answer"
        )
    return [check(b) for b in bidders]


def check(bidder: Bidder) -> CheckedBidder:
    given = [bidder.vendor_id is not None, bidder.identifier is not None, bidder.name is not None]
    if sum(given) != 1:
        return _invalid(bidder, "give exactly one of vendorId, identifier and name")
    if bidder.name is None and (bidder.country is not None or bidder.address is not None):
        return _invalid(bidder, "country and address go with a name, not an id or identifier")
    if bidder.identifier is not None:
        scheme, value = bidder.identifier
        try:
            key = normalize_identifier(scheme, value)
            identifier_value(key.scheme, key.value)
        except ValueError as error:
            return _invalid(bidder, f"identifier: {error}")
        return CheckedBidder(bidder, identifier=key)
    if bidder.name is not None:
        if (too_long := name_length_problem("name", bidder.name)) is not None:
            return _invalid(bidder, too_long)
        if not normalize_name(bidder.name):
            return _invalid(bidder, "name: it has no letter or digit to match")
        country = bidder.country.strip().upper() if bidder.country is not None else None
        # As the API refuses a vendor's: a code of no country ("ZZ") matched no vendor's.
        if bidder.country is not None and country not in COUNTRIES:
            return _invalid(bidder, f"country: {not_a_country(bidder.country)}")
        return CheckedBidder(bidder, country=country)
    if not (bidder.vendor_id or "").strip():
        return _invalid(bidder, "vendorId: it is empty")
    return CheckedBidder(bidder)


def _invalid(bidder: Bidder, reason: str) -> CheckedBidder:
    return CheckedBidder(bidder, error=reason)
