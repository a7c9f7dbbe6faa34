"""A plan's items (the contracts to move, with their checklist, blockers and cut-over phase)
and its phases, as the API shows them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import strawberry

from services.migration.api.graphql_enums import Criticality, MigrationItemStatus, ReadinessCheck
from services.migration.api.plan_visibility import views_in_view
from services.migration.domain.items import blockers, checklist
from services.migration.planning.model import Assignment
from services.migration.planning.phases import phase_label
from services.migration.planning.plan_constraints import natural_phase_of
from services.migration.storage.queries import PlanView
from services.platform.graphql.context import Info
from services.platform.graphql.nodes import Key, Node, in_key_order


@strawberry.type(description="One readiness check of an item.")
class ChecklistEntry:
    check: ReadinessCheck = strawberry.field(description="The check.")
    passed: bool = strawberry.field(description="Whether the check has passed.")


@strawberry.type(description="One contract (system) to move away from the vendor.")
class MigrationItem(Node):
    plan_id: strawberry.Private[str]
    contract_id: strawberry.ID = strawberry.field(description="The contract to move.")
    title: str = strawberry.field(description="What the contract is for.")
    criticality: Criticality = strawberry.field(  # type: ignore[valid-type]
        description="How much harm an interruption does (the contract's, unless configured)."
    )
    ends_on: dt.date = strawberry.field(
        description="Last day of the contract: its term's end, or its termination's when it was"
        " terminated as migrated before then."
    )
    via_subcontract_id: strawberry.ID | None = strawberry.field(
        description="Set when the vendor works on this contract as a subcontractor."
    )
    depends_on: list[strawberry.ID] = strawberry.field(
        description="Contracts this one moves after (in a later phase than each)."
    )
    lead_time_months: int = strawberry.field(
        description="Preparation the replacement needs once chosen, in months."
    )
    earliest_on: dt.date | None = strawberry.field(
        description="Cut over no earlier than this day; null: no such limit."
    )
    deadline_on: dt.date | None = strawberry.field(
        description="Cut over no later than this day; null: no such limit."
    )
    replacement_vendor_id: strawberry.ID | None = strawberry.field(
        description="The vendor chosen to take the item over; null until chosen."
    )
    replacement_chosen_on: dt.date | None = strawberry.field(
        description="Day the replacement was chosen; null until chosen."
    )
    replacement_problem: str | None = strawberry.field(
        description="Why the chosen replacement may not take over (it is not eligible)."
    )
    checklist: list[ChecklistEntry] = strawberry.field(
        description="The readiness checks, passed or not; all must pass before DONE."
    )
    blockers: list[str] = strawberry.field(description="What still stands before cut-over.")
    status: MigrationItemStatus = strawberry.field(  # type: ignore[valid-type]
        description="Where its cut-over stands."
    )
    status_on: dt.date | None = strawberry.field(
        description="Day of the latest milestone; for DONE, the day the replacement took over"
        " (after a termination as migrated, the day after the contract's last day, still to"
        " come when the termination was recorded on that day); null before one."
    )
    status_note: str | None = strawberry.field(
        description="The latest milestone's note (what blocks it, for BLOCKED); null when none."
    )
    phase: int | None = strawberry.field(description="Cut-over phase in the latest schedule.")
    phase_label: str | None = strawberry.field(
        description="The cut-over phase as a person reads it: `2027-04` for a one-month phase"
        " starting on the 1st, else its first and last day; null when not scheduled."
    )
    natural_phase_label: str = strawberry.field(
        description="The phase holding the day after the contract ends, when the replacement"
        " would take over anyway (its natural cut-over); given for a plan without a schedule"
        " too."
    )
    reasons: list[str] = strawberry.field(
        description="Why it is not cut over at its end; for a done item, also the items it"
        " moves after that had not cut over before it (`cut over before …`)."
    )

    # An item is a contract within one plan.
    node_key_names = ("planId", "contractId")

    def node_key(self) -> Key:
        return (self.plan_id, self.contract_id)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[MigrationItem | None]:
        async with info.context.pool.acquire() as conn:
            views = await views_in_view(info, conn, [plan for plan, _ in keys])
        found = {(v.plan.plan_id, i.contract_id): i for v in views for i in plan_items(v)}
        return in_key_order(found, keys)


@strawberry.type(description="One phase of the plan and the items cutting over in it.")
class MigrationPhase:
    index: int = strawberry.field(description="The phase's number; 0 is the first phase.")
    label: str = strawberry.field(
        description="The phase as a person reads it: `2027-04`, or its first and last day."
    )
    starts_on: dt.date = strawberry.field(description="First day of the phase.")
    ends_on: dt.date = strawberry.field(description="Last day of the phase (inclusive).")
    items: list[MigrationItem] = strawberry.field(description="The items cutting over in it.")


def plan_items(view: PlanView) -> list[MigrationItem]:
    settings = view.plan.settings
    placed: dict[str, Assignment] = {}
    if view.latest is not None:
        placed = {a.contract_id: a for a in view.latest.snapshot.schedule.assignments}
    found = []
    for contract_id, item in sorted(view.items.items()):
        at = placed.get(contract_id)
        found.append(
            MigrationItem(
                plan_id=view.plan.plan_id,
                contract_id=strawberry.ID(contract_id),
                title=item.title,
                criticality=item.criticality,
                ends_on=item.ends_on,
                via_subcontract_id=(
                    strawberry.ID(item.via_subcontract_id) if item.via_subcontract_id else None
                ),
                depends_on=[strawberry.ID(d) for d in item.depends_on],
                lead_time_months=item.lead_time_months,
                earliest_on=item.earliest_on,
                deadline_on=item.deadline_on,
                replacement_vendor_id=(
                    strawberry.ID(item.replacement_vendor_id)
                    if item.replacement_vendor_id
                    else None
                ),
                replacement_chosen_on=item.replacement_chosen_on,
                replacement_problem=item.replacement_problem_now,
                checklist=[
                    ChecklistEntry(check=ReadinessCheck(k), passed=v)
                    for k, v in checklist(item).items()
                ],
                blockers=list(blockers(item)),
                status=item.status,
                status_on=item.status_on,
                status_note=item.status_note,
                phase=at.phase if at else None,
                phase_label=phase_label(settings, at.phase) if at else None,
                # Known from the contract's end when no schedule places it (an infeasible
                # plan), as the plan's CSV gives it.
                natural_phase_label=phase_label(
                    settings,
                    at.natural_phase if at else natural_phase_of(settings, item.ends_on),
                ),
                reasons=list(at.reasons) if at else [],
            )
        )
    return found
