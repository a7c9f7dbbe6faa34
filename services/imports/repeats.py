"""Rows of one file that give the same sanction (the same ids: firm, first day, grounds and
what else the list's ids hold) (pure). With the same terms, a row repeats the first and is
counted once (`report_notes.note_repeats`). With other terms (another last day, kind,
authority or reach; an export's other reason or grounds) the list contradicts itself: the
first row's terms are taken as it is read, and the later row is refused naming both lines
and what differs, so that whoever imports hears that one of the two is wrong, and which one
the registry now holds. Not both refused: rows are sent as they come, and the first may be
sent already (holding every row back until the file's end would hold the whole list). The
refused row withholds no lift: its sanction is listed, by the first.
"""

from __future__ import annotations

import json

from services.imports.entries import ListEntry
from services.imports.lists.exclusions import ExportedEntry

# What a conflicting row's reason starts with (its cause, as a report tallies refusals).
CONFLICT = "repeated with other terms"


def terms(item: ListEntry) -> str:
    """What a row says of its sanction beyond its ids, as the scratch database keeps it for
    the rows after it (`scratch_sanctions.SanctionTable.first_row`): JSON, by what each is
    called in a refusal's reason."""
    said: dict[str, str | list[str]] = {
        "last day": "none (until further notice)" if item.last_day is None else str(item.last_day),
        "kind": item.kind.value,
        "authority": item.authority,
        "reach": item.reach or "none",
    }
    if isinstance(item, ExportedEntry):
        said["reason"] = item.reason or "none"
        said["grounds"] = list(item.ground_codes)
    return json.dumps(said, ensure_ascii=False)


def conflict(first_line: int, later: str, first: str) -> str | None:
    """Why a row is refused that gives the sanction of the row at `first_line` with other
    terms (`later` and `first`, as `terms` writes them); None when they are the same."""
    now, then = json.loads(later), json.loads(first)
    differ = [
        f"{name} {now[name]} where line {first_line} has {then.get(name)}"
        for name in now
        if now[name] != then.get(name)
    ]
    if not differ:
        return None
    return (
        f"{CONFLICT}: the same sanction as line {first_line}, with {', '.join(differ)}: the"
        f" list gives it twice, one of them wrong; this row is refused, line {first_line}'s"
        " terms taken. Correct the list and import it again"
    )
