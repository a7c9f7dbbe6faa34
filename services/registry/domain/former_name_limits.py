"""A vendor keeps at most MAX_FORMER_NAMES former names: a rename or an update that would
list more is refused at the receipt (`too_many_former_names`, at the field giving the name it
replaces), naming how many the vendor holds.

Every former name keeps matching (rename_rules.py): each screening by name scores each bidder
against every name of a barred vendor, and the answer explains each (ARCHITECTURE.md, "Bidder
screening"). Nothing bounded them: a rename on the day of the vendor's last one is taken (a
correction of it), so one barred vendor renamed 3,000 times in a day listed 3,000 former names
and slowed a 1,000-bidder screen of similar names from 0.23 s to 47 s, past the request time
limit; renaming back and forth on later days lists a name again per day. A firm's history
holds a handful of names. The limit counts what the record lists (a name used again on
another day is listed again, as `formerNames` shows it), so it bounds the screening's work,
the vendor's answer and its exports alike. The names stay matching: the oldest are not let go
to make room, since a barred firm bidding under a name it dropped long ago is what screening
is for.

One of the API's receipt checks (reads/former_name_counts.py, gateway/context.py), as the
alias limit is (alias_counts.py), not a rule of the registry: stored events are applied as
they were, so a log holding more before is rebuilt as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.events.base import EventEnvelope
from services.events.vendor import VendorRenamed, VendorUpdated
from services.registry.domain.periods import ONE_DAY
from services.registry.domain.refusals import Refusal
from services.registry.domain.rename_rules import (
    NAMING_FIELDS,
    NamesOnRecord,
    rename_changes,
    replaced_names,
)

MAX_FORMER_NAMES = 100


def last_used(payload: VendorRenamed) -> dt.date:
    """The last day the names a rename replaces were used: the day before it took effect."""
    return payload.effective_on - ONE_DAY


@dataclass(frozen=True)
class Replacement:
    """The names an event would list as the vendor's former names, with their last day."""

    field: str  # the payload's field that replaces (or clears) the first of them
    names: tuple[str, ...]
    used_until: dt.date | None
    what: str  # "rename", "update"


def replacement(event: EventEnvelope, names: NamesOnRecord, now: dt.datetime) -> Replacement | None:
    """What a rename or an update recorded `now` would add to the vendor's former names
    (`names`: the names it has); None when it replaces none, or is another event."""
    payload = event.payload
    if isinstance(payload, VendorRenamed):
        changes = rename_changes(payload, names, now)
        prefix, used_until, what = "new_", last_used(payload), "rename"
    elif isinstance(payload, VendorUpdated):
        changes = payload.changes()
        prefix, used_until, what = "", None, "update"
    else:
        return None
    replaced = replaced_names(names, changes)
    if not replaced:
        return None
    held = {"legal_name": names.legal_name, "name_kana": names.name_kana, "name_en": names.name_en}
    first = next(f for f in NAMING_FIELDS if f in changes and held[f] and changes[f] != held[f])
    # A name an update clears is given in its `clear`; a rename clears none it was not given.
    field = prefix + first if changes[first] is not None or prefix else "clear"
    return Replacement(field, tuple(r.name for r in replaced), used_until, what)


def former_names_refusal(
    vendor_id: str, replacing: Replacement, held: int, added: int
) -> Refusal | None:
    """Why the event `replacing` describes is refused when the vendor lists `held` former
    names and it would list `added` more; None when the total stays within the limit."""
    if held + added <= MAX_FORMER_NAMES:
        return None
    return "too_many_former_names", (
        f"payload.{replacing.field}: vendor {vendor_id!r} lists {held:,} former names and this"
        f" {replacing.what} would list {added} more; a vendor keeps at most {MAX_FORMER_NAMES},"
        " as each is matched in every screening by name"
    )
