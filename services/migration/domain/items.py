"""One item of a plan as the service records it, and the rules about it: its readiness
checklist, what blocks it, when it may be marked done, and what the solver is told of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from services.events.contract import Criticality
from services.events.migration import ChecklistCheck, MigrationItemStatus
from services.migration.planning.model import PlanItem, PlanSettings, ReplacementBar
from services.migration.planning.phases import phase_of

REPLACEMENT_READY = "replacement_chosen_and_eligible"

# What each check means to the person reading a blocker.
_MISSING = {
    ChecklistCheck.DATA_MIGRATION_REHEARSED: "data migration not rehearsed",
    ChecklistCheck.PARALLEL_RUN_PASSED: "parallel run not passed",
    ChecklistCheck.ERASURE_CERTIFICATE_RECEIVED: "data-erasure certificate not received",
    ChecklistCheck.DISPOSAL_CERTIFICATE_RECEIVED: "media-disposal certificate not received",
}


@dataclass(frozen=True)
class ItemState:
    contract_id: str
    title: str
    criticality: Criticality
    ends_on: dt.date
    starts_on: dt.date | None = None  # the term's first day (None: unknown, as before it was kept)
    via_subcontract_id: str | None = None  # the vendor is a subcontractor on this contract
    depends_on: tuple[str, ...] = ()
    lead_time_months: int = 0
    earliest_on: dt.date | None = None
    deadline_on: dt.date | None = None
    replacement_vendor_id: str | None = None
    replacement_chosen_on: dt.date | None = None
    # Why the chosen replacement may not take over (ineligible), as the registry announced.
    replacement_problem: str | None = None
    # Until when those bars keep it from the contract, which the solver respects.
    replacement_bar: ReplacementBar | None = None
    checks: frozenset[ChecklistCheck] = field(default_factory=frozenset)
    status: MigrationItemStatus = MigrationItemStatus.PLANNED
    status_on: dt.date | None = None
    status_note: str | None = None

    @property
    def replacement_ready(self) -> bool:
        return self.replacement_vendor_id is not None and self.replacement_problem is None

    @property
    def replacement_problem_now(self) -> str | None:
        """The replacement's problem as an owner sees it: none once the item is done, since
        the replacement took the contract over; a sanction on it since is its own record's
        (alerts, a plan of its own), not a check this item could still fail. (Migration's
        rules keep judging by `replacement_problem`, as live processing did.)"""
        return None if self.status is MigrationItemStatus.DONE else self.replacement_problem


def checklist(item: ItemState) -> dict[str, bool]:
    """Every readiness check, passed or not, in the order they are usually done."""
    return {
        REPLACEMENT_READY: item.replacement_vendor_id is not None
        and item.replacement_problem_now is None,
        **{check.value: check in item.checks for check in ChecklistCheck},
    }


def open_checks(item: ItemState) -> tuple[str, ...]:
    """What is still missing before the item may be marked done."""
    missing = []
    if item.replacement_vendor_id is None:
        missing.append("replacement vendor not chosen")
    elif item.replacement_problem is not None:
        missing.append(
            f"replacement {item.replacement_vendor_id} not eligible: {item.replacement_problem}"
        )
    missing += [text for check, text in _MISSING.items() if check not in item.checks]
    return tuple(missing)


def blockers(item: ItemState) -> tuple[str, ...]:
    """What stands between the item and its cut-over: the open checks, and a recorded block."""
    if item.status is MigrationItemStatus.DONE:
        return ()
    found = list(open_checks(item))
    if item.status is MigrationItemStatus.BLOCKED and item.status_note:
        found.insert(0, f"blocked: {item.status_note}")
    return tuple(found)


def done_already(item: ItemState) -> str | None:
    """Why an owner may no longer change the item (None when it may): it is done, cut over to
    its replacement. A replacement chosen, a property configured or a milestone recorded
    after that would rewrite who took the contract over, or when, and its checks are
    history too (`checklist_updated`). Done without a replacement, it was by its
    contract's termination as migrated: an owner's "done" needs one chosen."""
    if item.status is not MigrationItemStatus.DONE:
        return None
    if item.replacement_vendor_id is None:
        return (
            f"{item.contract_id} is done already: cut over when its contract was terminated as"
            " migrated, no replacement recorded"
        )
    return f"{item.contract_id} is done already: cut over to {item.replacement_vendor_id}"


def replacing_itself(vendor_id: str, replacement_vendor_id: str) -> str | None:
    """Why `replacement_vendor_id` may not take over a contract of the plan of `vendor_id`
    (None when it may, as far as this goes): it is the vendor being replaced. Migration's
    rule and the receipt's (`vendor_being_replaced`) alike."""
    if replacement_vendor_id == vendor_id:
        return f"{vendor_id} is the vendor being replaced"
    return None


def refusal_to_finish(item: ItemState) -> str | None:
    """Why the item may not be marked done yet (None when it may)."""
    missing = open_checks(item)
    if not missing:
        return None
    return f"{item.contract_id} cannot be marked done: checklist incomplete ({'; '.join(missing)})"


def plan_item(item: ItemState, settings: PlanSettings) -> PlanItem:
    """What the solver needs to know of the item. A replacement's lead time counts from the
    day it was chosen; without an eligible replacement, from the day of planning. A barred
    replacement is not cut over to while barred; once done, its bar is its own record's."""
    done = item.status is MigrationItemStatus.DONE and item.status_on is not None
    return PlanItem(
        contract_id=item.contract_id,
        title=item.title,
        criticality=item.criticality,
        ends_on=item.ends_on,
        starts_on=item.starts_on,
        depends_on=item.depends_on,
        lead_time_months=item.lead_time_months,
        lead_time_from=item.replacement_chosen_on if item.replacement_ready else None,
        earliest_on=item.earliest_on,
        deadline_on=item.deadline_on,
        done_in_phase=phase_of(settings, item.status_on) if done and item.status_on else None,
        replacement_bar=None if done else item.replacement_bar,
    )


def blockers_by_item(items: Mapping[str, ItemState]) -> dict[str, tuple[str, ...]]:
    return {contract_id: blockers(item) for contract_id, item in items.items()}
