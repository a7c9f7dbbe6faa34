"""Amounts of money as the catalog keeps them (pure): an integer in the currency's smallest
unit (ISO 4217 minor unit: yen for JPY, cents for USD), and how a note writes one."""

from __future__ import annotations

from decimal import Decimal

import iso4217

YEN = "JPY"


def minor_digits(currency: str) -> int | None:
    """The digits of the currency's minor unit (2 for USD, 0 for JPY); None for a code
    ISO 4217 does not list, or one with no minor unit (gold, special drawing rights, …): not
    a currency of payment, whose amounts cannot be read as units."""
    try:
        return iso4217.Currency(currency).exponent
    except ValueError:
        return None


def in_units(amount: int, digits: int) -> Decimal:
    """An amount in the smallest unit as units of its currency (100000000 cents: 1000000.00)."""
    return Decimal(amount).scaleb(-digits)


def written(amount: int, currency: str) -> str:
    """An amount as a note writes it, with its currency: "100,000,000 yen", "1,000,000.00
    USD"; a code whose minor unit is unknown shows the figure as given, in its smallest
    unit, and says so."""
    if currency == YEN:
        return f"{amount:,} yen"
    digits = minor_digits(currency)
    if digits is None:
        return f"{amount:,} in the smallest unit of {currency}"
    return f"{in_units(amount, digits):,.{digits}f} {currency}"
