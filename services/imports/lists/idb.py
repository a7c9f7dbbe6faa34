"""The Inter-American Development Bank's sanctioned firms and individuals (CSV export).

Columns: Title (the name, often with a short name in brackets, at times with other names:
"(also known as …)", ", Formerly known as …", read apart by `other_names.py`, or with words
on the debarment's reach, "(but only for its business operations in …)", read apart by
`reach.py`), Entity (Firm
or Individual: the vendor's kind, which SAM.gov's exclusions format classifies a party by),
Nationality, Country (where the sanctioned work was), From and To ("Jul 03, 2024"; "Ongoing":
until further notice), Grounds (with a leading space), Source (IDB's own, or the
bank whose debarment it cross-applies: "WBG cross debarment"), IDB Sanction Type, IDB
Sanction Source, Other Name (often in another script).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import TextIO

from services.events.sanction import SanctionKind
from services.events.vendor import VendorKind
from services.imports.csv_rows import rows
from services.imports.entries import ListEntry, NoEnd, NotARow, RowProblem, one_line, period
from services.imports.lists.countries import country_code
from services.imports.lists.other_names import split_name
from services.imports.lists.reach import without_reach

AUTHORITY = "Inter-American Development Bank"
# The columns an entry's identity and period are read from: a file without one of them
# (another export, a renamed header, an empty file) is not the list, and read as one it
# would lift every entry and impose each anew.
COLUMNS = ("Title", "Nationality", "From", "To", "Grounds", "Source")
# The IDB's own sanctions that bar no one: a letter of reprimand is recorded as a warning.
# Every other type ("Debarment", "Debarment w/ conditional release", or none: the cross
# debarments) bars.
WARNINGS = frozenset({"letter of reprimand"})
# "Applied filters:" as the site's export writes it: in English, Polish (as a tester's
# browser had it), Spanish and Portuguese.
_FOOTER = re.compile(r"(?:applied filters|zastosowane filtry|filtros aplicados)\s*:", re.I)
# "Until further notice" is "Ongoing" (447 rows of the real file, none with an empty "To"): an
# empty cell is a date lost, and is refused.
NO_END = NoEnd("To", frozenset({"ongoing"}), "Ongoing")
# The Entity column's words; another (or none) leaves the vendor's kind unknown. Not one of
# COLUMNS: an entry is the same entry without it.
_KINDS = {"firm": VendorKind.FIRM, "individual": VendorKind.INDIVIDUAL}


def _day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%b %d, %Y").date()


def entries(stream: TextIO) -> Iterator[ListEntry | RowProblem | NotARow]:
    held: tuple[int, dict[str, str]] | None = None  # a footer, if nothing follows it
    for read in rows(stream, COLUMNS):
        if held is not None:  # a row after it: it was no footer, but a row
            yield _entry(*held)
            held = None
        if isinstance(read, RowProblem):
            yield read
        elif _footer(read[1]):
            held = read
        else:
            yield _entry(*read)
    if held is not None:
        line, row = held
        yield NotARow(line, f"the export's footer {one_line(row['Title'])!r}, not a row: skipped")


def _footer(row: dict[str, str]) -> bool:
    """The line the IDB site's export ends its file with, naming the filters its table had
    ("Zastosowane filtry: From Date jest dnia marca 23, 2007 lub później", "Applied filters:
    …" in the language of the browser that exported it), in its first cell, the others
    empty. Read as a row, it was refused ("From/To: the first day '' is not a date"), so
    every import of the file as published withheld its lifts. Only as the file's last row
    (`entries`)."""
    rest = (cell for column, cell in row.items() if column != "Title")
    return _FOOTER.match(one_line(row["Title"])) is not None and not any(c.strip() for c in rest)


def _entry(line: int, row: dict[str, str]) -> ListEntry | RowProblem:
    try:
        starts_on, last_day = period(row.get("From", ""), row.get("To", ""), _day, NO_END)
    except ValueError as error:
        return RowProblem(line, f"From/To: {error}")
    written = one_line(row.get("Title", ""))
    if not written:
        return RowProblem(line, "Title: empty")
    named, reach = without_reach(written)
    name, also = split_name(named)
    other = one_line(row.get("Other Name", ""))
    source = one_line(row.get("Source", ""))
    grounds = one_line(row.get("Grounds", "")) or "unspecified"
    return ListEntry(
        source="idb",
        line=line,
        name=name,
        aliases=tuple(a for a in dict.fromkeys((*also, other)) if a and a != name),
        address="",  # the list has none
        country=country_code(row.get("Nationality", "")),
        starts_on=starts_on,
        last_day=last_day,
        grounds=grounds if source in ("", "IDB") else f"{grounds} ({source})",
        authority=AUTHORITY,
        kind=_kind(row.get("IDB Sanction Type", "")),
        reach=reach,
        vendor_kind=_KINDS.get(one_line(row.get("Entity", "")).casefold()),
        written=written,
    )


def _kind(sanction_type: str) -> SanctionKind:
    if one_line(sanction_type).casefold() in WARNINGS:
        return SanctionKind.WARNING
    return SanctionKind.DEBARMENT
