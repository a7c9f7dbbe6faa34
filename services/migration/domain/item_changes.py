"""What a change of an item's properties may not do to the plan as it stands (pure): depend
on what is no item of the plan, or leave a deadline before the item's earliest date. The
migration service refuses such an event (owner_handlers.py); the API's receipt says the same
problems first, by field, so a form is not told "saved" for what migration then refuses."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from services.events.catalog import Problem
from services.events.migration import MigrationItemConfigured
from services.migration.domain.items import ItemState

# Properties the change may clear (null); the others are only ever replaced.
_CLEARABLE = ("earliest_on", "deadline_on")


def changed_item(item: ItemState, change: MigrationItemConfigured) -> ItemState:
    """The item with the change's properties."""
    given = change.model_fields_set - {"plan_id", "contract_id"}
    updates: dict[str, object] = {
        name: getattr(change, name)
        for name in sorted(given)
        if name in _CLEARABLE or getattr(change, name) is not None
    }
    return dataclasses.replace(item, **updates)  # type: ignore[arg-type]


def item_change_problems(
    item: ItemState, plan_id: str, items: Collection[str], change: MigrationItemConfigured
) -> list[Problem]:
    """The change's problems against the plan's `items` (their contract ids), each on its own,
    at the payload's field as the event names it."""
    problems = []
    if change.depends_on is not None:
        unknown = [c for c in change.depends_on if c not in items]
        if unknown:
            problems.append(
                Problem(
                    "depends_on",
                    f"not items of plan {plan_id}: {', '.join(unknown)}",
                    "unknown_item",
                )
            )
    changed = changed_item(item, change)
    if changed.earliest_on and changed.deadline_on and changed.deadline_on < changed.earliest_on:
        problems.append(
            Problem(
                "deadline_on",
                f"{changed.deadline_on} is before the item's earliest date {changed.earliest_on}",
                "deadline_before_earliest",
            )
        )
    return problems
