"""Whether a file would lift a large share of its list at once, found before anything is sent
(no I/O but the file and the import's scratch database).

A list is a snapshot: what a file no longer lists is lifted. So a file cut short at a row's
end (a download broken there, `head -601` of the list), a filtered export, or another export
under the list's name reads as the bank having lifted every debarment it lacks: the World
Bank's first 600 rows lifted 630 of its debarments without a word; a lift is final, and the
firms were eligible at once. A list drops a debarment in force rarely (an early release, a
decision overturned; a debarment that ended is not lifted at all, `deltas.over`), so an import
that would lift more than `SHARE` of the list's debarments in force and more than `FEW` of
them is refused before anything is sent, unless it is told the list did drop them
(`--allow-mass-lift`). The share protects a long list (the World Bank's 1,052 in force: over
some 100 lifts), the count a short one (a city's 指名停止一覧 of 30 suspensions may lift two
or three early, which a share alone would refuse).

The file is read through once for this, as its encoding and CSV are (`file_encoding.py`,
`csv_rows.py`): each row's sanction id against the recorded ones, as `planning.py` reads it
(`entry_ids.recorded_entry`: under the ids it was recorded under).
The count is a floor: a new row that may be a recorded one renamed (`renames.py`) is taken to
be one, since only the end of the real reading tells; and none is foreseen when a row cannot
be read (the import then lifts nothing, `planning.py`).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Collection
from dataclasses import dataclass
from typing import BinaryIO

from services.imports.deltas import gone
from services.imports.entries import NotARow, RowProblem
from services.imports.entry_ids import recorded_entry
from services.imports.lists import japanese
from services.imports.planning import BY_AUTHORITY, LISTS
from services.imports.renames import Renames
from services.imports.scratch_sanctions import SanctionTable

# An import is refused when it would lift more than this share of the list's debarments in
# force, and more than `FEW` of them (module docstring).
SHARE = 0.10
FEW = 10
ALLOW = "--allow-mass-lift"


@dataclass(frozen=True)
class Foreseen:
    """What a file would lift of its list: at least `lifts` of its `standing` debarments in
    force or to come (of the bodies the file speaks for, for a list that speaks for its
    bodies)."""

    source: str
    lifts: int
    standing: int

    @property
    def massive(self) -> bool:
        return self.lifts > FEW and self.lifts > SHARE * self.standing

    def said(self) -> str:
        return (
            f"the file would lift {self.lifts:,} of the {self.standing:,} debarments of the"
            f" {self.source} list in force ({self.lifts / self.standing:.0%}), more than"
            f" {SHARE:.0%} and more than {FEW} at once: a file cut short, a filtered export or"
            " another list's file reads so"
        )


def foreseen(
    source: str,
    file: BinaryIO,
    sanctions: SanctionTable,
    today: dt.date,
    bodies: Collection[str] = (),
) -> Foreseen:
    """What importing `file` (a list of `source`, read as of `today`, `bodies`: as
    `planning.planned_events`) would lift of the sanctions recorded in `sanctions`; leaves the
    file at its start. Nothing is foreseen of a first import (nothing recorded)."""
    if sanctions.recorded.empty:
        return Foreseen(source, 0, 0)
    start = file.tell()
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        return _foreseen(source, text, sanctions, today, bodies)
    finally:
        text.detach()
        file.seek(start)


def _foreseen(
    source: str,
    text: io.TextIOWrapper,
    sanctions: SanctionTable,
    today: dt.date,
    bodies: Collection[str],
) -> Foreseen:
    a_list = LISTS[source]
    assert a_list is not None, f"{source} is not a list"
    read = a_list[0]
    renames = Renames.of(sanctions)
    in_rows: set[str] = set()
    renamed = rows = 0  # new rows that may be recorded ones renamed; rows read
    for item in read(text):
        if isinstance(item, NotARow):
            continue
        if isinstance(item, RowProblem):
            return Foreseen(source, 0, 0)  # the import lifts nothing (planning.py)
        rows += 1
        in_rows.add(item.authority)
        item, sanction, _ = recorded_entry(item, sanctions.recorded)
        if sanction in sanctions.recorded:
            sanctions.foreseen.add(sanction)
        elif renames.held(item) is not None:
            renamed += 1
    if not rows:
        # Refused (planning.NEVER_EMPTY), or imported as told it is the whole list: an
        # export with --allow-empty, a body's list with --body.
        return Foreseen(source, 0, 0)
    named = {japanese.plain(body) for body in bodies}
    whose = in_rows | named if source in BY_AUTHORITY else None
    standing = sum(1 for _ in gone(sanctions.recorded, (), whose, today))
    unlisted = sum(1 for _ in gone(sanctions.recorded, sanctions.foreseen, whose, today))
    return Foreseen(source, max(0, unlisted - renamed), standing)
