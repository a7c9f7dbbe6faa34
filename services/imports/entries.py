"""What every debarment list says of one entry, whoever published it (pure).

A list's rows are read by its own module (`lists/worldbank.py`, `lists/idb.py`,
`lists/ebrd.py`) into `ListEntry`s, or into `RowProblem`s saying which line could not be read
and why; `events.py` turns entries into ordinary catalog events.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from services.events.sanction import SanctionKind
from services.events.vendor import VendorKind

# Lists write "until further notice" as a far date (every list's reader takes it), or as
# words of their own (`NoEnd`).
FOREVER = dt.date(2999, 12, 31)


@dataclass(frozen=True)
class ListEntry:
    """One firm or person on a list, and the sanction the list records for it."""

    source: str  # worldbank, idb, ebrd
    line: int  # in the file, from 1 (the header is line 1)
    name: str
    aliases: tuple[str, ...]
    address: str  # as the list writes it; "" when it has none
    country: str | None  # ISO 3166-1 alpha-2, when the list's country could be read
    starts_on: dt.date
    last_day: dt.date | None  # None: until lifted
    grounds: str  # as the list words them
    authority: str  # who sanctioned: the list's publisher, or the bank it cross-debars for
    # What the list records: a debarment, a bid suspension, or a warning (a reprimand, which
    # bars nothing).
    kind: SanctionKind
    # What the list says in words of the debarment's reach: narrower ("BUT ONLY FOR ITS
    # BUSINESS OPERATIONS IN THE WATER AND SANITATION SECTOR") or wider ("and all entities
    # that it controls, except …"). No field of ours says it as written, so the sanction bars
    # the firm everywhere, keeps the words in its reason, and the import says so.
    reach: str | None = field(default=None, kw_only=True)
    # A firm or a person, where the list says which (the IDB's Entity column); None: it does
    # not, and the registry does not guess (the World Bank's "MR. RUFAT MAJIDOV" stays None).
    vendor_kind: VendorKind | None = field(default=None, kw_only=True)
    # The name cell as the list writes it, other names and all ("ELMCREST GROUP LIMITED,
    # FORMERLY KNOWN AS LANDMARC LIMITED"); None: the name as written.
    written: str | None = field(default=None, kw_only=True)
    # The name the entry's ids hold, when not `name`: `written`, for an entry imported before
    # other names were read out of its name cell (`entry_ids.as_recorded`), so that it keeps
    # its vendor and sanction.
    ids_name: str | None = field(default=None, kw_only=True)


def stated_reason(entry: ListEntry) -> str:
    """A list's sanction's reason: its grounds as the list words them, and the limit it
    words, if any."""
    return f"{entry.grounds} ({entry.reach})" if entry.reach else entry.grounds


@dataclass(frozen=True)
class NoEnd:
    """How one list writes "until further notice" in its last day's column, besides a far
    date: the cells (lower case) that say it, "" among them only for a list whose empty cell
    does (the EBRD's). An empty cell of any other list is refused: one blanked or lost on the
    way made a fixed debarment permanent, with no word to whoever imported it."""

    column: str  # the last day's column, named when its cell is refused
    words: frozenset[str]
    written: str  # how the list writes it, said when its cell is refused


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


@dataclass(frozen=True)
class NotARow:
    """A line a list's reader knows to be no entry (an export's footer), skipped: no row,
    refused or not, and told to whoever imports (`what`)."""

    line: int
    what: str


def ground_code(grounds: str) -> str:
    """A list's grounds as a policy ground code (lower case, words joined by `_`, at most 64
    characters): "Fraudulent and Corrupt Practices" → fraudulent_and_corrupt_practices."""
    words = re.findall(r"[a-z0-9]+", grounds.lower())
    code = "_".join(words)[:64].rstrip("_") or "unspecified"
    return code if code[0].isalpha() else f"g_{code}"[:64]


def one_line(text: str) -> str:
    """Cell text as one line with single spaces (some cells hold line breaks)."""
    return " ".join(text.split())


def period(
    start: str, until: str, day: Callable[[str], dt.date], no_end: NoEnd
) -> tuple[dt.date, dt.date | None]:
    """A row's first and last day, each read by `day` (the list's date format); no last day
    when the list says "until further notice" as it writes it (`no_end`). Raises ValueError
    for a date it cannot read, an empty last day the list does not write so, or a last day
    before the first: the catalog refused such a new row, but took it as an amendment of a
    recorded one, which the registry then refused out of the import's sight (a dead letter;
    the report said "amended")."""
    starts_on = read_day("first day", start.strip(), day)
    if until.strip().lower() in no_end.words:
        return starts_on, None
    if not until.strip():
        raise ValueError(
            f"the last day '' is not a date: {no_end.column} is empty, and the list writes"
            f' "until further notice" as {no_end.written}'
        )
    last_day = read_day("last day", until.strip(), day)
    if last_day < starts_on:
        raise ValueError(f"the last day {last_day} is before the first {starts_on}")
    return starts_on, None if last_day >= FOREVER else last_day


def read_day(which: str, text: str, day: Callable[[str], dt.date]) -> dt.date:
    """A date as `day` reads it, or a ValueError naming the date and what it holds: the
    parsers' own words ("Invalid isoformat string: '202'", from a file cut short; "month must
    be in 1..12") said neither which date nor what the cell held."""
    try:
        return day(text)
    except ValueError as error:
        # Why, when the parser says more than the text ("day is out of range for month"; the
        # era dates' "'2024-02-30': 2024-02 has no day 30", the text quoted once here).
        why = str(error).removeprefix(f"{text!r}: ")
        detail = "" if text in why else f" ({why})"
        raise ValueError(f"the {which} {text!r} is not a date{detail}") from None
