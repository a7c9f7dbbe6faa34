"""An owner's change that would change nothing of an item or a plan (pure): the replacement it
has chosen again on the day it was chosen, a check ticked that is ticked (or withdrawn that is
not), the milestone it stands at recorded again, an item's properties or a plan's settings
given as they are. Recorded, each was a new event in the log and, for a replacement or a
configuration, a new version of the plan identical to the last ("no change to the
schedule"): noise an auditor reads as a decision. The API's receipt refuses them
(`no_change`), and migration does from the rules of 2026-12-07 on. Returns the reason, None
for a real change; and, of a real change, which of the fields given it changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.events.migration import (
    ChecklistCheck,
    MigrationItemConfigured,
    MigrationItemStatus,
    MigrationPlanConfigured,
)
from services.migration.domain.item_changes import changed_item
from services.migration.domain.items import ItemState
from services.migration.domain.plan_settings import configure
from services.migration.planning.model import PlanSettings


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


def same_properties(item: ItemState, change: MigrationItemConfigured) -> str | None:
    """An item's properties given as they are: the change, as migration applies it (only the
    fields given; a null given keeps a property, or clears a date, `changed_item`), leaves the
    item as it is. A list of dependencies in another order is another list."""
    if changed_item(item, change) != item:
        return None
    given = sorted(change.model_fields_set - {"plan_id", "contract_id"})
    return f"{item.contract_id}'s {', '.join(given)} {_are(given)} so already"


def same_settings(
    plan_id: str, settings: PlanSettings, change: MigrationPlanConfigured
) -> str | None:
    """A plan's settings given as they are: the change, as migration applies it (only the
    fields given, `configure`), leaves them as they are."""
    if configure(settings, change) != settings:
        return None
    given = sorted(change.model_fields_set - {"plan_id"})
    return f"plan {plan_id}'s {', '.join(given)} {_are(given)} so already"


def _are(names: list[str]) -> str:
    return "is" if len(names) == 1 else "are"


def changed_fields(before: object, after: object, names: Sequence[str]) -> list[str]:
    """Those of `names` (fields of an item's properties or a plan's settings) whose values
    differ between `before` and `after`, in the order given: what a re-plan's cause names,
    not every field the change gave."""
    return [name for name in names if getattr(before, name) != getattr(after, name)]
