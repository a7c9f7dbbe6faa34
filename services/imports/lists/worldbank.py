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
import unicodedata
from collections.abc import Iterator
from typing import TextIO

from services.events.sanction import SanctionKind
from services.imports.csv_rows import rows
from services.imports.entries import ListEntry, NoEnd, RowProblem, one_line, period
from services.imports.lists.countries import country_code
from services.imports.lists.other_names import (
    DESIGNATOR,
    bracketed,
    listed,
    segments,
    split_name,
    written,
)
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
# The list's footnote marks: "*677", "* 43", "*518 and 572", "*566, 576".
_FOOTNOTE = re.compile(r"\*\s*\d+(?:\s*(?:,|and)\s*\d+)*")
# A note, not a name: labelled ("Physical Address: …", "Registration #00124199", "(Reg. No.
# 1163)", "(Tax ID: …)", "(CNPJ: …)"), or, in brackets, holding a number ("(91650100…)").
_NOTE = re.compile(r"[:;#]|^\s*(?:reg(?:istration)?|tax|tin|cnpj|(?:national\s+)?id)\b", re.I)
# Names in another script listed in one bracket: "(新疆交通建设集团股份有限公司, 新疆交建)".
_SCRIPT_LIST = re.compile(r"\s*[,;，；]\s*")


def _latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("LATIN", "FULLWIDTH LATIN"))


def _in_another_script(text: str) -> bool:
    """Whether a bracket is a name in another script than the Latin one the list's names are
    in: its first letter is not Latin ("(中工国际工程股份有限公司)", "(张方俊)")."""
    first = next((c for c in text if c.isalpha()), "")
    return bool(first) and not _latin(first)


def other_names(info: str) -> tuple[str, ...]:
    """The other names in "Additional Firm Info": those a designator introduces ("(aka …)",
    "(formerly …)", "(d/b/a …)" and the like), those in another script, bracketed or not
    ("(中工国际工程股份有限公司)", the firm's name in Chinese), and the text written outside
    brackets, which is the name in the firm's own script or one introduced so ("AKA …", ",
    also …"), with the brackets within or after it ("AKA LONESTAR SUPPLIES AND LOGISTICS
    (PVT) LTD", "URALKOTLOSERVICE PKF ZAO (TAMBOV)": another firm's name without them); not
    a labelled note ("Physical Address: …", "(Reg. No. …)"), a bracket of the list's own
    words before any name ("(MUE Group)", "(BUT ONLY FOR …)") or prose ("as a successor or
    assign to …"), which no firm is called. Registration numbers and tax ids are left out."""
    outside, names = bracketed(_FOOTNOTE.sub(" ", info))
    text = _LEADING_DESIGNATOR.sub("", outside)
    introduced = text != outside
    kept: list[str] = []
    for opening, inside in segments(text):
        if not opening:
            kept.append(inside)
        elif _in_another_script(inside):
            names.extend(n for n in _SCRIPT_LIST.split(one_line(inside)) if n)
        elif any(c.isalpha() for c in "".join(kept)) and not (
            _NOTE.search(inside) or any(c.isdigit() for c in inside)
        ):
            kept.append(written(opening, inside))
    rest = one_line("".join(kept)).strip(" ,;")
    a_name = any(c.isalpha() for c in rest) and not _NOTE.search(rest) and not rest[:1].islower()
    if a_name:
        names.extend(listed(rest) if introduced else (rest,))
    return tuple(dict.fromkeys(names))


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
