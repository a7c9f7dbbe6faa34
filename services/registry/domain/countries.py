"""Which two-letter codes name a country (pure): ISO 3166-1 alpha-2, as pycountry lists the
standard's codes, and XK, the code the development banks and the European Commission give
Kosovo (ISO has none for it; the banks' lists are imported with it).

The catalog checks a country's shape only (two capitals), so "ZZ" or "UK" passed as one and
was recorded: a vendor of no country, which no screening by its real country found. The API
refuses such a code for a vendor (`country_check`, in the receipt) and `screenBidders` for a
bidder (`bidders.check`), in the same words. The registry does not: events come through
`publish` and Kafka past any receipt, and those stored before are judged again as they were
on a rebuild.
"""

from __future__ import annotations

import pycountry

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.match_review import VendorMatchReviewed
from services.events.vendor import VendorRegistered, VendorUpdated

COUNTRIES = frozenset({str(country.alpha_2) for country in pycountry.countries} | {"XK"})


def not_a_country(written: str) -> str:
    """The refusal of a country, as written, that is none of `COUNTRIES`."""
    return f"{written!r} is not an ISO 3166-1 alpha-2 code (JP, US, …)"


def country_check(event: EventEnvelope) -> Problem | None:
    """The API's check of an event a person records: a vendor's country, or a reviewed
    bidder's, that names no country is refused at its field; any other event passes."""
    payload = event.payload
    if isinstance(payload, VendorRegistered | VendorUpdated):
        field, country = "country", payload.country
    elif isinstance(payload, VendorMatchReviewed):
        field, country = "bidder_country", payload.bidder_country
    else:
        return None
    if country is None or country in COUNTRIES:
        return None
    return Problem(f"payload.{field}", not_a_country(country), "unknown_country")
