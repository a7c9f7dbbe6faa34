"""The Inter-American Development Bank's sanctioned firms and individuals (CSV export).

Columns: Title (the name, often with a short name in brackets), Entity (Firm or Individual:
the vendor's kind, which SAM.gov's exclusions format classifies a party by),
Nationality, Country (where the sanctioned work was), From and To ("Jul 03, 2024"; "Ongoing"
or empty: until further notice), Grounds (with a leading space), Source (IDB's own, or the
bank whose debarment it cross-applies: "WBG cross debarment"), IDB Sanction Type, IDB
Sanction Source, Other Name (often in another script).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TextIO

from services.events.sanction import SanctionKind
from services.events.vendor import VendorKind
from services.imports.csv_rows import rows
from services.imports.entries import ListEntry, RowProblem, one_line, period
from services.imports.lists.countries import country_code

AUTHORITY = "Inter-American Development Bank"
# The columns an entry's identity and period are read from: a file without one of them
# (another export, a renamed header, an empty file) is not the list, and read as one it
# would lift every entry and impose each anew.
COLUMNS = ("Title", "Nationality", "From", "To", "Grounds", "Source")
# The IDB's own sanctions that bar no one: a letter of reprimand is recorded as a warning.
# Every other type ("Debarment", "Debarment w/ conditional release", or none: the cross
# debarments) bars.
WARNINGS = frozenset({"letter of reprimand"})
# The Entity column's words; another (or none) leaves the vendor's kind unknown. Not one of
# COLUMNS: an entry is the same entry without it.
_KINDS = {"firm": VendorKind.FIRM, "individual": VendorKind.INDIVIDUAL}


def _day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%b %d, %Y").date()


def entries(stream: TextIO) -> Iterator[ListEntry | RowProblem]:
    for line, row in rows(stream, COLUMNS):
        try:
            starts_on, last_day = period(row.get("From", ""), row.get("To", ""), _day)
        except ValueError as error:
            yield RowProblem(line, f"From/To: {error}")
            continue
        name = one_line(row.get("Title", ""))
        if not name:
            yield RowProblem(line, "Title: empty")
            continue
        other = one_line(row.get("Other Name", ""))
        source = one_line(row.get("Source", ""))
        grounds = one_line(row.get("Grounds", "")) or "unspecified"
        yield ListEntry(
            source="idb",
            line=line,
            name=name,
            aliases=(other,) if other and other != name else (),
            address="",  # the list has none
            country=country_code(row.get("Nationality", "")),
            starts_on=starts_on,
            last_day=last_day,
            grounds=grounds if source in ("", "IDB") else f"{grounds} ({source})",
            authority=AUTHORITY,
            kind=_kind(row.get("IDB Sanction Type", "")),
            vendor_kind=_KINDS.get(one_line(row.get("Entity", "")).casefold()),
        )


def _kind(sanction_type: str) -> SanctionKind:
    if one_line(sanction_type).casefold() in WARNINGS:
        return SanctionKind.WARNING
    return SanctionKind.DEBARMENT
