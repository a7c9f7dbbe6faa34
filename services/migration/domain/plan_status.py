"""Where a plan stands as a whole (pure): withdrawn by its owner, completed once every item
has cut over, open otherwise.

Completed is derived when the plan is read, not recorded: the plan stays the vendor's plan at
its agency, so a contract found later (awarded, extended, approved as a subcontract while the
vendor is barred there) joins it and opens it again, which a stored status would have to be
told of by every handler that adds an item. A plan without items (every contract terminated
otherwise than as migrated) is open: nothing of it was moved, and contracts found later join
it. Withdrawn is recorded (migration.plan_withdrawn): an owner's decision, final."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from services.events.migration import MigrationItemStatus


class PlanStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


def plan_status(withdrawn: bool, item_statuses: Iterable[MigrationItemStatus]) -> PlanStatus:
    """The plan's status from whether it was withdrawn and its items' statuses (the read side's
    filter, `queries.plan_page`, says the same in SQL)."""
    if withdrawn:
        return PlanStatus.WITHDRAWN
    statuses = list(item_statuses)
    if statuses and all(s is MigrationItemStatus.DONE for s in statuses):
        return PlanStatus.COMPLETED
    return PlanStatus.OPEN
