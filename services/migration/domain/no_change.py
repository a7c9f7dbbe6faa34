"""An owner's change that would change nothing of an item (pure): the replacement it has chosen
again on the day it was chosen, a check ticked that is ticked (or withdrawn that is not), the
milestone it stands at recorded again. Recorded, each was a new event in the log and, for a
replacement, a new version of the plan identical to the last ("no change to the schedule"):
noise an auditor reads as a decision. The API's receipt refuses them (`no_change`), and
migration does from the rules of 2026-12-07 on. Returns the reason, None for a real change."""

from __future__ import annotations

import datetime as dt

from services.events.migration import ChecklistCheck, MigrationItemStatus
from services.migration.domain.items import ItemState


def same_replacement(item: ItemState, vendor_id: str, chosen_on: dt.date) -> str | None:
    """A replacement chosen again: the same vendor on the same day (another day is a change: the
    replacement's lead time counts from it)."""
    if (item.replacement_vendor_id, item.replacement_chosen_on) != (vendor_id, chosen_on):
        return None
    return f"{vendor_id} is {item.contract_id}'s replacement already, chosen on {chosen_on}"


def same_check(item: ItemState, check: ChecklistCheck, passed: bool) -> str | None:
    """A check ticked that is ticked, or withdrawn that is not."""
    if (check in item.checks) != passed:
        return None
    state = "passed" if passed else "not passed"
    return f"{item.contract_id}'s check '{check.value.replace('_', ' ')}' is {state} already"


def same_milestone(
    item: ItemState, status: MigrationItemStatus, on: dt.date, note: str | None
) -> str | None:
    """The milestone the item stands at, on its day with its note, recorded again."""
    if (item.status, item.status_on, item.status_note) != (status, on, note):
        return None
    return f"{item.contract_id} is {status.value} since {on} already"
