"""The EBRD's ineligible entities (CSV, UTF-8 with a byte-order mark).

Columns: Firm Name (with a leading space; at times with other names in it, "… (also known as
…)", "… Formerly known as …", read apart by `other_names.py`, or words on the debarment's
reach after a person's name, "… and any entity controlled directly or indirectly by …",
read apart by `reach.py`), Address, Nationality,
Ineligible From and " Ineligible Until" (ISO timestamps; From is sometimes empty, then the
notice date counts; Until may be "Ongoing", "Indefinite", "Permanent" or empty), Notice Effective
At EBRD, Originating Institution (EBRD, or the bank it cross-debars for), Prohibited Practice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TextIO

from services.events.sanction import SanctionKind
from services.imports.csv_rows import rows
from services.imports.entries import ListEntry, NoEnd, RowProblem, one_line, period
from services.imports.lists.countries import country_code
from services.imports.lists.other_names import split_name
from services.imports.lists.reach import without_reach

AUTHORITY = "European Bank for Reconstruction and Development"
# The columns an entry's identity and period are read from: a file without one of them
# (another export, a renamed header, an empty file) is not the list, and read as one it
# would lift every entry and impose each anew. Address among them: the vendor's id holds it.
COLUMNS = (
    "Firm Name",
    "Address",
    "Nationality",
    "Ineligible From",
    "Ineligible Until",
    "Notice Effective At EBRD",
    "Originating Institution",
    "Prohibited Practice",
)
_OWN = {"", "EBRD", AUTHORITY}
# "Until further notice" in words, or an empty cell: the real file leaves two rows' "Ineligible
# Until" empty beside 468 in words, the EBRD's way of saying the same.
NO_END = NoEnd("Ineligible Until", frozenset({"", "ongoing", "indefinite", "permanent"}), "Ongoing")


def _day(text: str) -> dt.date:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()


def entries(stream: TextIO) -> Iterator[ListEntry | RowProblem]:
    for read in rows(stream, COLUMNS):
        if isinstance(read, RowProblem):
            yield read
            continue
        line, row = read
        start = row.get("Ineligible From", "").strip() or row.get("Notice Effective At EBRD", "")
        try:
            starts_on, last_day = period(start, row.get("Ineligible Until", ""), _day, NO_END)
        except ValueError as error:
            yield RowProblem(line, f"Ineligible From/Until: {error}")
            continue
        written = one_line(row.get("Firm Name", ""))
        if not written:
            yield RowProblem(line, "Firm Name: empty")
            continue
        origin = one_line(row.get("Originating Institution", ""))
        grounds = one_line(row.get("Prohibited Practice", "")) or "unspecified"
        named, reach = without_reach(written)
        name, aliases = split_name(named)
        yield ListEntry(
            source="ebrd",
            line=line,
            name=name,
            aliases=aliases,
            address=one_line(row.get("Address", "")),
            country=country_code(row.get("Nationality", "")),
            starts_on=starts_on,
            last_day=last_day,
            grounds=grounds if origin in _OWN else f"{grounds} ({origin})",
            authority=AUTHORITY,
            kind=SanctionKind.DEBARMENT,
            reach=reach,
            written=written,
        )
