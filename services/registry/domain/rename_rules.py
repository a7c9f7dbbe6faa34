"""Why the registry refuses a vendor's rename, and which names an update leaves matching
(pure).

The record holds one legal name, the current one, and lists the names before it as former
names with the last day each was used: the day before the rename that replaced it took
effect. A rename is a dated fact, and the history is only true if the renames are recorded
in the order they took effect. One recorded after another but effective before it
(recorded 2024-05-01 "New Corp", then 2024-01-01 "Third Name") made the earlier name current
and listed the later one as used until 2023-12-31, before it was adopted. Two answers were
possible: order the renames by their days (insert the earlier one into the history, moving
the last day of the name it interrupted), or refuse it. It is refused (`before_last_rename`,
naming the rename it would precede): the exact rule is one comparison with one stored day,
the record never rewrites a former name's days after the fact (what an officer read of the
history stays what it said), and a name the vendor used in between that was learnt late is
kept matching as an alias (`updateVendor`), which screening and search read as they read a
former name. A rename on the day of the last one is taken: it corrects that day's rename
(an import, or a name mistyped), and the name it replaces is listed as used until the day
before, as the one before it. A rename that changes nothing (the legal name it has, and no
reading or English name that is not the vendor's already) is refused (`no_change`): it was
recorded as a second decision and moved the day the name was adopted.

Judged by the registry for events recorded from the rules of 2026-12-07 on (later_rules), so
that a rebuild gives an older log the verdicts live processing gave it; the API's receipt
refuses both whenever it is asked (`rename_problem`, read by `reads/rename_changes.py`):
nothing is recorded of what a receipt refuses.

An update (`vendor.updated`) that replaces or clears a legal, kana or English name keeps the
name it replaces matching as a former name, as a rename does (`replaced_names`): a barred
firm's record corrected or renamed through an update had dropped its old name from screening
and search. The update gives no day, so the name's last day of use is not known (null).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.vendor import VendorRenamed
from services.platform.eventstore.later_rules import (
    judged_by_fifth_rules,
    judged_by_fourth_rules,
)
from services.platform.wording import quoted
from services.registry.domain.refusals import Refusal, problem


@dataclass(frozen=True, slots=True)
class NamesOnRecord:
    """What judging a rename reads of its vendor: its current names, and its latest rename
    by effective day (the day and the legal name it gave; None: never renamed)."""

    legal_name: str
    name_kana: str | None
    name_en: str | None
    renamed_on: dt.date | None = None
    renamed_to: str | None = None


def rename_refusal(
    vendor_id: str,
    payload: VendorRenamed,
    names: NamesOnRecord,
    recorded_at: dt.datetime,
    *,
    receipt: bool = False,
) -> Refusal | None:
    """Why a rename of the vendor, recorded by the log at `recorded_at`, is refused, from
    the rules of 2026-12-07 on (later_rules); with `receipt`, whenever it is asked. The code
    and the reason; None when it is taken."""
    if not (receipt or judged_by_fourth_rules(recorded_at)):
        return None
    if names.renamed_on is not None and payload.effective_on < names.renamed_on:
        return "before_last_rename", (
            f"payload.effective_on: {payload.effective_on} is before vendor {vendor_id!r}"
            f" was last renamed, to {quoted(names.renamed_to or '')} from {names.renamed_on};"
            " renames are recorded in the order they took effect (a name used in between may"
            " be added as an alias, which keeps it matching)"
        )
    unchanged = (
        payload.new_legal_name == names.legal_name
        and payload.new_name_kana in (None, names.name_kana)
        and payload.new_name_en in (None, names.name_en)
    )
    if unchanged:
        return "no_change", (
            f"payload: vendor {vendor_id!r} has these names already (legal name"
            f" {quoted(names.legal_name)}); the rename would change nothing"
        )
    return None


def rename_problem(
    event: EventEnvelope, names: NamesOnRecord | None, now: dt.datetime
) -> Problem | None:
    """The API's check of a rename recorded `now` against the vendor's names on record, in
    the registry's words with their code; any other event passes, and so does a vendor not
    on record (its registration may be in the log still unjudged; `unknown_vendor` is
    another check's). The day of the latest rename only moves later, so a rename refused
    for preceding it the registry would refuse; one that changes nothing is judged against
    the names on record, which a rename still unjudged in the log may yet change."""
    payload = event.payload
    if not isinstance(payload, VendorRenamed) or names is None:
        return None
    return problem(rename_refusal(event.vendor_id, payload, names, now, receipt=True))


# The names an update or a rename may replace, by the field that gives each: kept as
# former names, each with the kind of name it was (registry migration 0024).
NAMING_FIELDS = {"legal_name": "legal", "name_kana": "kana", "name_en": "english"}


class Replaced(NamedTuple):
    """A name an update or a rename replaced, and which of the vendor's names it was."""

    was: str  # legal, kana or english (NameKind's values)
    name: str


def rename_changes(
    payload: VendorRenamed, names: NamesOnRecord, recorded_at: dt.datetime
) -> dict[str, str | None]:
    """The names a rename recorded by the log at `recorded_at` gives the vendor (`names`:
    those it has), as an update's changes name them: a field given, or None for one cleared.
    A kana reading and an English name are the legal name's: from the rules of 2026-12-08
    on (later_rules), a new legal name clears those the rename does not give (they belonged
    to the old name, and stay matching as former names, `replaced_names`; kept as current,
    the old name's reading was shown as the new one's). Recorded before, or with the legal
    name kept, a reading or English name not given stays as it is: a rebuild gives an older
    rename the names live processing gave it."""
    given = zip(
        NAMING_FIELDS,
        (payload.new_legal_name, payload.new_name_kana, payload.new_name_en),
        strict=True,
    )
    renamed = payload.new_legal_name != names.legal_name and judged_by_fifth_rules(recorded_at)
    return {field: name for field, name in given if name is not None or renamed}


def replaced_names(names: NamesOnRecord, changes: Mapping[str, Any]) -> list[Replaced]:
    """The vendor's names that `changes` (`VendorUpdated.changes()`: a field given, or None
    for one cleared; or `rename_changes`, likewise) replace or clear, in the order legal, kana,
    English, each with the kind it was: each is kept matching as a former name."""
    held = {"legal_name": names.legal_name, "name_kana": names.name_kana, "name_en": names.name_en}
    return [
        Replaced(was, old)
        for field, was in NAMING_FIELDS.items()
        if field in changes and (old := held[field]) and changes[field] != old
    ]
