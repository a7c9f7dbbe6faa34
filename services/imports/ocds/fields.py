"""The readings of an OCDS release's fields that the mapping to catalog events needs (pure):
text, names in other languages, dates, countries, amounts in minor units."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from services.events.currencies import minor_digits, not_payable
from services.imports.entries import one_line
from services.imports.lists.countries import country_code

JSON = dict[str, Any]

# "name_hy", "legalName_ru", "name_en-US" (OCDS 1.1), and Armenia's "nameHy", "legalNameRu".
_LANGUAGE_FIELD = re.compile(
    r"^(name|legalName)(?:_([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?)|([A-Z][a-z]))$"
)


def text(value: object) -> str:
    """A JSON value as one line of text ("" for null, objects and arrays)."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return one_line(str(value))
    return ""


def names(party: JSON) -> tuple[str, dict[str, str]]:
    """A party's legal name (identifier.legalName, else name) and its other names: by
    language code (lower case; `legalName_xx` before `name_xx`), and `name` under "" when it
    is not the legal name."""
    identifier = party.get("identifier") if isinstance(party.get("identifier"), dict) else {}
    assert isinstance(identifier, dict)
    legal = text(identifier.get("legalName")) or text(party.get("name"))
    other: dict[str, str] = {}
    if text(party.get("name")) not in ("", legal):
        other[""] = text(party.get("name"))
    for source in (identifier, party):
        for key, value in source.items():
            found = _LANGUAGE_FIELD.match(key)
            name = text(value)
            if found and name:
                language = (found.group(2) or found.group(3)).lower().replace("_", "-")
                other.setdefault(language, name)
    return legal, other


def day(value: object) -> dt.date | None:
    """The calendar day of an OCDS date-time as the publisher wrote it (in its own offset:
    "2016-07-28T04:00:00+04:00" is 28 July), or None when there is none or it is not a date."""
    written = text(value)
    if not re.match(r"\d{4}-\d{2}-\d{2}", written):
        return None
    try:
        return dt.date.fromisoformat(written[:10])
    except ValueError:
        return None


def moment(value: object) -> dt.datetime | None:
    """An OCDS date-time as an aware datetime (UTC when it has no offset), or None."""
    written = text(value)
    if not re.match(r"\d{4}-\d{2}-\d{2}", written):
        return None
    try:
        parsed = dt.datetime.fromisoformat(written)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def country(name: object) -> str | None:
    """address.countryName ("AM", "MÉXICO", "México" with trailing spaces) as ISO 3166-1
    alpha-2; None when it cannot be told (never a guess)."""
    written = text(name)
    found = country_code(written)
    if found is None and written:
        plain = "".join(
            c for c in unicodedata.normalize("NFKD", written) if not unicodedata.combining(c)
        )
        found = country_code(plain)
    return found


def minor_units(amount: object, currency: str) -> int:
    """An OCDS `value.amount` (a JSON number, in units of the currency) in the currency's
    smallest unit, as the catalog counts amounts (189654 MXN → 18965400 centavos). Raises
    ValueError naming the field at fault, `value.amount` or `value.currency`: a non-number,
    one finer than the minor unit (nothing is rounded), a currency ISO 4217 has not or one of
    no minor unit."""
    if isinstance(amount, bool) or not isinstance(amount, int | float | str):
        raise ValueError(f"value.amount: not a number: {amount!r}")
    try:
        exact = Decimal(str(amount))
    except InvalidOperation:
        raise ValueError(f"value.amount: not a number: {amount!r}") from None
    if not exact.is_finite():
        raise ValueError(f"value.amount: not a number: {amount!r}")
    exponent = minor_digits(currency)
    if exponent is None:
        raise ValueError(f"value.currency: {currency!r} is {not_payable(currency)}")
    scaled = exact.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(
            f"value.amount: {amount} {currency} is finer than the currency's smallest unit"
        )
    return int(scaled)
