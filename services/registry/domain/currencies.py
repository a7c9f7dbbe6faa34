"""Which three-letter codes name a currency (pure): ISO 4217's, as pycountry lists the
standard's codes, less the two that name none (XXX, "no currency involved", and XTS, "for
testing"): an amount of money is in some currency.

The catalog checks a currency's shape only (three capitals), so "XYZ" passed and was recorded:
an award, a claim or a settlement whose amount no one can read, which no sum of the vendor's
amounts in a currency counts with the others. The API refuses such a code (`currency_check`,
in the receipt), as it refuses a country that is none (`countries.py`). The registry does not:
events come through `publish` and Kafka past any receipt, and those stored before are judged
again as they were on a rebuild.
"""

from __future__ import annotations

import pycountry

from services.events.base import EventEnvelope
from services.events.catalog import Problem

CURRENCIES = frozenset(str(currency.alpha_3) for currency in pycountry.currencies) - {
    "XXX",
    "XTS",
}


def currency_check(event: EventEnvelope) -> Problem | None:
    """The API's check of an event a person records: an amount's currency (an award's, a
    claim's, a settlement's) that names none is refused at its field; any other event
    passes."""
    currency = getattr(event.payload, "currency", None)
    if not isinstance(currency, str) or currency in CURRENCIES:
        return None
    return Problem(
        "payload.currency",
        f"{currency!r} is not an ISO 4217 currency code (JPY, USD, EUR, …)",
        "unknown_currency",
    )
