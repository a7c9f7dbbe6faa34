"""Which currencies an amount may be in (pure): ISO 4217's currencies of payment, those the
standard gives a minor unit, as the `iso4217` package lists the codes in use with their
exponents. The one definition every reader of an amount uses: the API's receipt
(registry/domain/currencies.py), risk (a claim's weight, a model's rates), the OCDS importer
(imports/ocds/fields.py) and the console's amounts (console/pages.py).

An amount in the catalog is an integer in its currency's smallest unit (cents for USD, yen for
JPY), so a code ISO 4217 gives no minor unit names no unit an amount could count in: gold and
the other metals (XAU, XAG, XPT, XPD), funds and units of account (XDR, XUA, XBA–XBD, XSU), and
the two codes that name no currency (XXX, "no currency involved"; XTS, "for testing"). They are
ISO 4217 codes, so a refusal says they are no currency of payment, not that they are no code.
Before, the receipt listed the codes by another table (every code but XXX and XTS) and risk by
this one: the receipt accepted a claim in XAU that risk then said it had "no yen rate" for,
while a model refused one.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import iso4217

# Each currency of payment with the digits of its minor unit (2 for USD, 0 for JPY).
MINOR_DIGITS: Mapping[str, int] = MappingProxyType(
    {c.code: c.exponent for c in iso4217.Currency if c.exponent is not None}
)
_CODES = frozenset(c.code for c in iso4217.Currency)


def minor_digits(currency: str) -> int | None:
    """The digits of the currency's minor unit; None for a code no amount may be in."""
    return MINOR_DIGITS.get(currency)


def not_payable(currency: str) -> str | None:
    """Why no amount may be in `currency`, as every refusal and note says it after the code
    ("XAU is …"); None for a currency of payment."""
    if currency in MINOR_DIGITS:
        return None
    if currency in _CODES:
        return "not a currency of payment (ISO 4217 gives it no minor unit)"
    return "not an ISO 4217 code in use"
