"""What a list's file changes in what earlier imports of the same list recorded (pure).

A list is a snapshot: a row already recorded with the same last day changes nothing, one whose
last day moved is an amendment, a new row an imposition, and a recorded debarment the file no
longer has is lifted (from the import's day), unless it is already over: its last day, under
its latest terms, before the import's day (`over`: lists drop debarments that ended, and such
a lift would change nothing; the registry refuses one dated after a sanction's last day). A
lifted sanction listed again is KEEP here: a lift is final in the registry. One lifted by hand
stays lifted (told to whoever imports, report_notes.py's `note_relisted`); one an import of
the list lifted for its absence (`RecordedSanction.lifted_by_list`) is imposed again under a
new id (entry_ids.py's `_listed_again`), which this then finds new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class RecordedSanction:
    vendor_id: str
    last_day: dt.date | None  # under its latest terms; None: until lifted
    lifted: bool
    starts_on: dt.date | None = None  # its first day and reason (the list's grounds): what
    reason: str | None = None  # tells an entry renamed in a newer file (renames.py)
    authority: str | None = None  # who imposed it (a list may hold several bodies' sanctions)
    # Lifted by an import of its list, for its absence from the file (`events.lifted`), not
    # by hand: what a registry's own export, listing it again, imposes anew (planning.py).
    lifted_by_list: bool = False
    # How many changes (amendments, lifts) are recorded on it: an amendment's id holds it
    # (`events.amendment`), so that each new decision of the list has an id of its own.
    changes: int = 0


class Delta(StrEnum):
    IMPOSE = "impose"
    AMEND = "amend"
    KEEP = "keep"  # recorded as the file says (or lifted before)


def delta(
    sanction_id: str, last_day: dt.date | None, recorded: Mapping[str, RecordedSanction]
) -> Delta:
    found = recorded.get(sanction_id)
    if found is None:
        return Delta.IMPOSE
    if found.lifted or found.last_day == last_day:
        return Delta.KEEP
    return Delta.AMEND


def gone(
    recorded: Mapping[str, RecordedSanction],
    listed: Container[str],
    authorities: Container[str] | None = None,
    ended_before: dt.date | None = None,
) -> Iterator[tuple[str, RecordedSanction]]:
    """The recorded debarments in force that the file no longer lists, in the mapping's order
    (an import's, `scratch_sanctions.RecordedSanctions`: by id), as they are iterated. Given
    `authorities` (a list of which each file speaks only for the bodies it names, as a body's
    指名停止一覧), only theirs: one body's file says nothing of another's suspensions. Given
    `ended_before` (the import's day), not those that ended before it (`over`): a lift would
    change nothing, and, lifted, one would stay lifted should a newer file list it again (our
    own export, whose ids follow its sanctions' gaps: a gap closed later gives the first bar's
    id back)."""
    return (
        (sid, r)
        for sid, r in _unlisted(recorded, listed, authorities)
        if ended_before is None or r.last_day is None or r.last_day >= ended_before
    )


def over(
    recorded: Mapping[str, RecordedSanction],
    listed: Container[str],
    authorities: Container[str] | None,
    day: dt.date,
) -> Iterator[tuple[str, RecordedSanction]]:
    """The recorded debarments the file no longer lists (`gone`'s, `authorities` as there)
    that are already over on `day`, the import's: their last day, under their latest terms,
    before it. Not lifted: a list drops what ended, and a lift from `day` would change nothing
    (the registry refuses a lift effective after a sanction's last day)."""
    return (
        (sid, r)
        for sid, r in _unlisted(recorded, listed, authorities)
        if r.last_day is not None and r.last_day < day
    )


def _unlisted(
    recorded: Mapping[str, RecordedSanction],
    listed: Container[str],
    authorities: Container[str] | None,
) -> Iterator[tuple[str, RecordedSanction]]:
    """The recorded debarments, not lifted, that the file no longer lists, of the bodies it
    speaks for (all, without `authorities`)."""
    return (
        (sid, r)
        for sid, r in recorded.items()
        if not r.lifted
        and sid not in listed
        and (authorities is None or r.authority in authorities)
    )
