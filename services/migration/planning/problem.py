"""From a plan's recorded state to the solver's problem and the snapshot people read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from services.migration.domain.items import ItemState, blockers_by_item, plan_item
from services.migration.planning.model import PlanSnapshot, Schedule, SchedulingProblem
from services.migration.storage.plan_repository import PlanRow


def build_problem(
    plan: PlanRow, items: Mapping[str, ItemState], today: dt.date
) -> SchedulingProblem:
    return SchedulingProblem(
        settings=plan.settings,
        items=tuple(plan_item(items[c], plan.settings) for c in sorted(items)),
        today=today,
    )


def snapshot(
    plan: PlanRow,
    items: Mapping[str, ItemState],
    problem: SchedulingProblem,
    schedule: Schedule,
    version: int,
) -> PlanSnapshot:
    return PlanSnapshot(
        plan_id=plan.plan_id,
        vendor_id=plan.vendor_id,
        agency=plan.agency,
        version=version,
        problem=problem,
        schedule=schedule,
        statuses={c: item.status.value for c, item in items.items()},
        blockers=blockers_by_item(items),
        replacements={
            c: item.replacement_vendor_id for c, item in items.items() if item.replacement_vendor_id
        },
    )
