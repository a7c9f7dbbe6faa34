"""Amounts of money as the catalog keeps them (pure): an integer in the currency's smallest
unit (ISO 4217 minor unit: yen for JPY, cents for USD; which currencies have one:
events/currencies.py), and how a note writes one."""

from __future__ import annotations

from decimal import Decimal

from services.events.currencies import minor_digits

YEN = "JPY"


def in_units(amount: int, digits: int) -> Decimal:
    """An amount in the smallest unit as units of its currency (100000000 cents: 1000000.00)."""
    return Decimal(amount).scaleb(-digits)


def written(amount: int, currency: str) -> str:
    """An amount as a note writes it, with its currency: "100,000,000 yen", "1,000,000.00
    USD"; in a code no amount may be in (events/currencies.py), the figure as recorded, which
    counts in no unit of it: "the figure 1,000 recorded in XAU"."""
    if currency == YEN:
        return f"{amount:,} yen"
    digits = minor_digits(currency)
    if digits is None:
        return f"the figure {amount:,} recorded in {currency}"
    return f"{in_units(amount, digits):,.{digits}f} {currency}"
