"""An OCDS 1.1 package read as contracting processes, and the small readings of its fields
that the mapping to catalog events needs (pure).

A *release package* lists releases; a *record package* lists records (one per process, its
releases and usually a `compiledRelease`). Either becomes `Process`es, one per `ocid`:

- a record's `compiledRelease` when it has one, else its releases merged in date order;
- a release package's releases grouped by `ocid`: a single release is taken as it is, several
  (a process published as its tender, award and contract releases) are merged in date order.

Merging follows OCDS's merge rule, simplified: a later release's value replaces an earlier
one's, objects merge field by field, arrays of objects with an `id` (parties, awards,
contracts, amendments, items) merge by `id`, other arrays are replaced, and a `null` removes
the field. Releases are never judged by their `tag` (Armenia's are all tagged "tender" though
they carry awards and contracts): what a release holds is what counts. Unknown fields
(Armenia's undeclared `bids`, Jalisco's top-level `_id`) are ignored, not refused.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import iso4217

from services.imports.countries import country_code
from services.imports.entries import one_line

JSON = dict[str, Any]


@dataclass(frozen=True)
class Process:
    """One contracting process (an `ocid`) as one release."""

    ocid: str
    where: str  # where the package has it: "releases[3]", "records[0].compiledRelease"
    versions: tuple[JSON, ...]  # the process as each of its releases left it, oldest first

    @property
    def release(self) -> JSON:
        """The process as its latest release leaves it (the compiled release)."""
        return self.versions[-1]


class PackageError(ValueError):
    """The file is not an OCDS release or record package."""


def processes(package: object) -> Iterator[Process]:
    """The package's processes, in the order their first release appears."""
    if not isinstance(package, dict):
        raise PackageError("an OCDS package is a JSON object")
    if isinstance(package.get("records"), list):
        yield from _records(package["records"])
    elif isinstance(package.get("releases"), list):
        yield from _releases(package["releases"])
    else:
        raise PackageError(
            "neither a release package (`releases`) nor a record package (`records`)"
        )


def _records(records: list[Any]) -> Iterator[Process]:
    for n, record in enumerate(records):
        if not isinstance(record, dict):
            raise PackageError(f"records[{n}]: not an object")
        compiled = record.get("compiledRelease")
        if isinstance(compiled, dict):
            ocid = str(record.get("ocid") or compiled.get("ocid") or f"records[{n}]")
            yield Process(ocid, f"records[{n}].compiledRelease", (compiled,))
            continue
        # Linked releases ({url, date, tag}, no id) would have to be fetched: not read here.
        releases = [r for r in record.get("releases") or [] if isinstance(r, dict) and "id" in r]
        if not releases:
            raise PackageError(f"records[{n}]: no compiledRelease and no embedded releases")
        ocid = str(record.get("ocid") or releases[0].get("ocid") or f"records[{n}]")
        where = f"records[{n}].releases (merged in date order)"
        yield Process(ocid, where, versions(releases))


def _releases(releases: list[Any]) -> Iterator[Process]:
    by_ocid: dict[str, list[tuple[int, JSON]]] = {}
    for n, release in enumerate(releases):
        if not isinstance(release, dict):
            raise PackageError(f"releases[{n}]: not an object")
        by_ocid.setdefault(str(release.get("ocid") or f"releases[{n}]"), []).append((n, release))
    for ocid, found in by_ocid.items():
        if len(found) == 1:
            n, release = found[0]
            yield Process(ocid, f"releases[{n}]", (release,))
        else:
            numbers = ", ".join(str(n) for n, _ in found)
            where = f"releases[{numbers}] (merged in date order)"
            yield Process(ocid, where, versions([r for _, r in found]))


def versions(releases: list[JSON]) -> tuple[JSON, ...]:
    """The releases of one process merged, oldest first (ties keep the file's order): the
    process as each release left it; the last is the compiled release."""
    result: JSON = {}
    states = []
    for release in sorted(releases, key=lambda r: str(r.get("date") or "")):
        result = _merge(result, release)
        states.append(result)
    return tuple(states)


def _merge(old: JSON, new: Mapping[str, Any]) -> JSON:
    out = dict(old)
    for key, value in new.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif _by_id(value) and _by_id(out.get(key)):
            items = {str(item["id"]): item for item in out[key]}
            for item in value:
                ident = str(item["id"])
                items[ident] = _merge(items.get(ident, {}), item)
            out[key] = list(items.values())
        else:
            out[key] = value
    return out


def _by_id(value: object) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and v.get("id") is not None for v in value)
    )


# --- Field readings ------------------------------------------------------------------------

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
    ValueError for a non-number or one finer than the minor unit (nothing is rounded)."""
    if isinstance(amount, bool) or not isinstance(amount, int | float | str):
        raise ValueError(f"not a number: {amount!r}")
    try:
        exact = Decimal(str(amount))
    except InvalidOperation:
        raise ValueError(f"not a number: {amount!r}") from None
    if not exact.is_finite():
        raise ValueError(f"not a number: {amount!r}")
    try:
        exponent = iso4217.Currency(currency).exponent
    except ValueError:
        raise ValueError(f"{currency!r} is not an ISO 4217 currency code") from None
    if exponent is None:  # gold, special drawing rights, …: not a currency contracts are paid in
        raise ValueError(f"{currency} has no minor unit (not a currency of payment)")
    scaled = exact.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency} is finer than the currency's smallest unit")
    return int(scaled)
