"""The World Bank's list of debarred firms and individuals (CSV, as exported from its site).

Columns: Firm Name (at times with other names in it: "…, FORMERLY KNOWN AS …", "A.K.A. …",
read apart by `other_names.py`), Additional Firm Info (other names as "(aka …)" or
"(formerly known as …)", the name in another script, registration numbers, and a footnote
mark "*677"), Address, Country, Ineligibility Period From Date and To Date (ISO dates;
2999-12-31: until further notice), Grounds. Two rows may share a name and country and still be
two firms (two branches at two addresses, with two Chinese names).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import TextIO

from services.events.sanction import SanctionKind
from services.imports.csv_rows import rows
from services.imports.entries import ListEntry, NoEnd, RowProblem, one_line, period
from services.imports.lists.countries import country_code
from services.imports.lists.other_names import DESIGNATOR, bracketed, split_name
from services.imports.lists.reach import reach

AUTHORITY = "World Bank"
# The columns an entry's identity and period are read from: a file without one of them
# (another export, a renamed header, an empty file) is not the list, and read as one it
# would lift every entry and impose each anew. Address among them: the vendor's id holds it
# (two branches of one name and country are two firms), so read as empty it made every
# entry a new vendor and lifted every debarment.
COLUMNS = (
    "Firm Name",
    "Address",
    "Country",
    "Ineligibility Period From Date",
    "Ineligibility Period To Date",
    "Grounds",
)
# The list writes "until further notice" as 2999-12-31 (649 rows of the real file), never as
# a word or an empty cell: an empty one is a date lost, and is refused.
NO_END = NoEnd("Ineligibility Period To Date", frozenset(), "2999-12-31")
# Another name introduced before the text outside brackets ("*294 AKA X", ", also X").
_LEADING_DESIGNATOR = re.compile(rf"^[\s,;]*{DESIGNATOR}\s+", re.I)


_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_FOOTNOTE = re.compile(r"\*\d+")


def other_names(info: str) -> tuple[str, ...]:
    """The other names in "Additional Firm Info": those a designator introduces ("(aka …)",
    "(formerly …)", "(d/b/a …)" and the like), and the text written outside brackets, which
    is the name in the firm's own script or one introduced so ("AKA …", ", also …"); not
    when it is a labelled note ("Physical Address: …") or prose ("as a successor or assign
    to …"), which no firm is called."""
    outside, named = bracketed(info)
    rest = one_line(_FOOTNOTE.sub(" ", _BRACKETS.sub(" ", outside)))
    rest = _LEADING_DESIGNATOR.sub("", rest).strip(" ,;")
    a_name = any(c.isalpha() for c in rest) and ":" not in rest and not rest[:1].islower()
    return tuple([*named, rest] if a_name else named)


def entries(stream: TextIO) -> Iterator[ListEntry | RowProblem]:
    for read in rows(stream, COLUMNS):
        if isinstance(read, RowProblem):
            yield read
            continue
        line, row = read
        try:
            starts_on, last_day = period(
                row.get("Ineligibility Period From Date", ""),
                row.get("Ineligibility Period To Date", ""),
                dt.date.fromisoformat,
                NO_END,
            )
        except ValueError as error:
            yield RowProblem(line, f"ineligibility period: {error}")
            continue
        written = one_line(row.get("Firm Name", ""))
        if not written:
            yield RowProblem(line, "Firm Name: empty")
            continue
        name, also = split_name(written)
        info = other_names(row.get("Additional Firm Info", ""))
        yield ListEntry(
            source="worldbank",
            line=line,
            name=name,
            aliases=tuple(a for a in dict.fromkeys((*also, *info)) if a != name),
            address=one_line(row.get("Address", "")),
            country=country_code(row.get("Country", "")),
            starts_on=starts_on,
            last_day=last_day,
            grounds=one_line(row.get("Grounds", "")) or "unspecified",
            authority=AUTHORITY,
            kind=SanctionKind.DEBARMENT,
            reach=reach(row.get("Additional Firm Info", "")),
            written=written,
        )
