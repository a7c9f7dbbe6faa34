"""What a change of an item's properties may not do to the plan as it stands (pure): depend
on what is no item of the plan, close a cycle of dependencies through the item, or leave a
deadline before the item's earliest date. The migration service refuses such an event
(owner_handlers.py; a cycle for events recorded from the rules of 2026-12-06 on); the API's
receipt says the same problems first, by field, so a form is not told "saved" for what
migration then refuses, or for a plan no schedule could then be found for."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from services.events.catalog import Problem
from services.events.migration import MigrationItemConfigured, MigrationItemStatus
from services.migration.domain.dependencies import cycle_through, said
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
    if "depends_on" in updates:  # as the item holds them (a list is never its tuple)
        updates["depends_on"] = tuple(change.depends_on or ())
    return dataclasses.replace(item, **updates)  # type: ignore[arg-type]


def item_change_problems(
    item: ItemState,
    plan_id: str,
    items: Mapping[str, ItemState],
    change: MigrationItemConfigured,
    *,
    cycles: bool = True,
) -> list[Problem]:
    """The change's problems against the plan's `items` (by contract id), each on its own, at
    the payload's field as the event names it; `cycles`: a cycle of dependencies is one (the
    receipt's always, migration's from the rules of 2026-12-06 on)."""
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
        if cycles and (cycle := _cycle(item, items, change.depends_on)):
            problems.append(
                Problem(
                    "depends_on",
                    f"closes a dependency cycle, {said(cycle)}, which no schedule can keep",
                    "dependency_cycle",
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


def _cycle(
    item: ItemState, items: Mapping[str, ItemState], depends_on: list[str]
) -> tuple[str, ...]:
    """The cycle through the item its new dependencies close among the items still to plan,
    as the planner reads them (a dependency on a done item is history: `cycle_conflict`);
    one elsewhere in the plan, that the item only leads into, is not this change's."""
    still_to_plan = {
        cid: other.depends_on
        for cid, other in items.items()
        if other.status is not MigrationItemStatus.DONE
    }
    return cycle_through(item.contract_id, {**still_to_plan, item.contract_id: depends_on})
