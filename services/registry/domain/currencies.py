"""The API's check of an amount's currency (pure): a currency of payment, as
`events/currencies.py` defines it for every reader of an amount.

The catalog checks a currency's shape only (three capitals), so "XYZ" passed and was recorded:
an award, a claim or a settlement whose amount no one can read, which no sum of the vendor's
amounts in a currency counts with the others; so did XAU (gold), which has no minor unit for an
amount to count in. The API refuses such a code (`currency_check`, in the receipt), as it
refuses a country that is none (`countries.py`). The registry does not: events come through
`publish` and Kafka past any receipt, and those stored before are judged again as they were on
a rebuild.
"""

from __future__ import annotations

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.currencies import not_payable


def currency_check(event: EventEnvelope) -> Problem | None:
    """The API's check of an event a person records: an amount's currency (an award's, a
    claim's, a settlement's) no amount may be in is refused at its field, saying whether it
    is no ISO 4217 code or no currency of payment; any other event passes."""
    currency = getattr(event.payload, "currency", None)
    why = not_payable(currency) if isinstance(currency, str) else None
    if why is None:
        return None
    return Problem(
        "payload.currency",
        f"{currency!r} is {why}: amounts are in currencies such as JPY, USD, EUR",
        "unknown_currency",
    )
