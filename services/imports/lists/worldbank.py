"""The World Bank's list of debarred firms and individuals (CSV, as exported from its site).

Columns: Firm Name, Additional Firm Info (other names as "(aka …)" or "(formerly known as …)",
the name in another script, registration numbers, and a footnote mark "*677"), Address,
Country, Ineligibility Period From Date and To Date (ISO dates; 2999-12-31: until further
notice), Grounds. Two rows may share a name and country and still be two firms (two branches
at two addresses, with two Chinese names).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import TextIO

from services.imports.csv_rows import rows
from services.imports.entries import ListEntry, RowProblem, one_line, period
from services.imports.lists.countries import country_code

AUTHORITY = "World Bank"
# The columns an entry's identity and period are read from: a file without one of them
# (another export, a renamed header, an empty file) is not the list, and read as one it
# would lift every entry and impose each anew.
COLUMNS = (
    "Firm Name",
    "Country",
    "Ineligibility Period From Date",
    "Ineligibility Period To Date",
    "Grounds",
)
# "(aka X)", "(a.k.a. X)", "(formerly known as X)", "(f/k/a X)", "(also known as X)"
_OTHER_NAME = re.compile(
    r"\(\s*(?:aka|a\.k\.a\.|also known as|formerly known as|f/k/a)\s+([^()]+?)\s*\)", re.I
)


_BRACKETS = re.compile(r"\([^()]*\)")
_FOOTNOTE = re.compile(r"\*\d+")


def other_names(info: str) -> tuple[str, ...]:
    """The other names in "Additional Firm Info": those given as "(aka …)" and the like, and
    a name written outside brackets (often in the firm's own script)."""
    named = [one_line(name) for name in _OTHER_NAME.findall(info)]
    rest = one_line(_FOOTNOTE.sub(" ", _BRACKETS.sub(" ", info)))
    return tuple([*named, rest] if any(c.isalpha() for c in rest) else named)


def entries(stream: TextIO) -> Iterator[ListEntry | RowProblem]:
    for line, row in rows(stream, COLUMNS):
        try:
            starts_on, last_day = period(
                row.get("Ineligibility Period From Date", ""),
                row.get("Ineligibility Period To Date", ""),
                dt.date.fromisoformat,
            )
        except ValueError as error:
            yield RowProblem(line, f"ineligibility period: {error}")
            continue
        name = one_line(row.get("Firm Name", ""))
        if not name:
            yield RowProblem(line, "Firm Name: empty")
            continue
        yield ListEntry(
            source="worldbank",
            line=line,
            name=name,
            aliases=other_names(row.get("Additional Firm Info", "")),
            address=one_line(row.get("Address", "")),
            country=country_code(row.get("Country", "")),
            starts_on=starts_on,
            last_day=last_day,
            grounds=one_line(row.get("Grounds", "")) or "unspecified",
            authority=AUTHORITY,
        )
