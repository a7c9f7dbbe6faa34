"""What system owners record about their migration plans. Each mutation checks what it can
at once (the plan and item exist, the replacement is eligible, the checklist is complete),
then appends the event to the log, where the migration service applies (and checks) it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from services.events.migration import (
    ChecklistCheck as ChecklistCheckModel,
)
from services.events.migration import (
    EarlyCutoverPolicy as EarlyCutoverModel,
)
from services.events.migration import (
    MigrationChecklistUpdated,
    MigrationItemConfigured,
    MigrationItemStatusChanged,
    MigrationPlanConfigured,
    MigrationPlanRequested,
    MigrationReplacementChosen,
)
from services.events.migration import (
    MigrationItemStatus as ItemStatusModel,
)
from services.gateway.context import Info
from services.gateway.errors import InvalidArgument
from services.gateway.mutations import SubmittedEvent, record
from services.migration import plan_repository
from services.migration.graphql_types import Criticality, MigrationItemStatus
from services.migration.items import ItemState, refusal_to_finish
from services.migration.plan_loading import load_item
from services.migration.plan_repository import PlanRow
from services.registry.queries import RegistryQueryError, bid_eligibility_many

ChecklistCheck = strawberry.enum(ChecklistCheckModel, name="ChecklistCheck")
EarlyCutover = strawberry.enum(EarlyCutoverModel, name="EarlyCutover")


@strawberry.input
class BlackoutInput:
    starts_on: dt.date
    ends_on: dt.date
    reason: str


@strawberry.input
class PhaseCapacityInput:
    phase_start: dt.date
    capacity: int


@strawberry.input(description="Only the fields given change; null clears a deadline.")
class MigrationPlanSettingsInput:
    phase_months: int | None = strawberry.UNSET
    capacity: int | None = strawberry.UNSET
    capacity_overrides: list[PhaseCapacityInput] | None = strawberry.UNSET
    blackouts: list[BlackoutInput] | None = strawberry.UNSET
    early_cutover: EarlyCutover | None = strawberry.UNSET  # type: ignore[valid-type]
    early_penalty: int | None = strawberry.UNSET
    deadline_on: dt.date | None = strawberry.UNSET
    time_limit_seconds: float | None = strawberry.UNSET


@strawberry.input(description="Only the fields given change; null clears a date.")
class MigrationItemInput:
    criticality: Criticality | None = strawberry.UNSET  # type: ignore[valid-type]
    depends_on: list[strawberry.ID] | None = strawberry.UNSET
    lead_time_months: int | None = strawberry.UNSET
    earliest_on: dt.date | None = strawberry.UNSET
    deadline_on: dt.date | None = strawberry.UNSET


def _given(value: object) -> dict[str, Any]:
    """The input's fields the client sent, in the event's (snake_case, JSON) form."""
    fields = {}
    for name, given in vars(value).items():
        if given is strawberry.UNSET:
            continue
        if isinstance(given, list):
            given = [vars(v) if hasattr(v, "__dict__") else v for v in given]
        fields[name] = given
    return fields


async def _plan(info: Info, plan_id: str) -> PlanRow:
    async with info.context.pool.acquire() as conn:
        plan = await plan_repository.plan(conn, plan_id)
    if plan is None:
        raise InvalidArgument(f"planId: no plan {plan_id!r}")
    return plan


async def _item(info: Info, plan: PlanRow, contract_id: str) -> ItemState:
    async with info.context.pool.acquire() as conn:
        item = await load_item(conn, plan, contract_id)
    if item is None:
        raise InvalidArgument(f"contractId: {contract_id!r} is not an item of plan {plan.plan_id}")
    return item


async def _refuse_ineligible(info: Info, vendor_id: str, agency: str) -> None:
    """The registry's own answer for today, so a suspended replacement is refused at once."""
    async with info.context.pool.acquire() as conn:
        try:
            [answer] = await bid_eligibility_many(
                conn, [vendor_id], info.context.settings.clock.today(), agency=agency
            )
        except RegistryQueryError:
            raise InvalidArgument(f"vendorId: unknown vendor {vendor_id!r}") from None
    if not answer.eligible:
        reasons = "; ".join(
            f"{r.kind.value.replace('_', ' ')} {r.sanction_id} by {r.authority}"
            f" from {r.starts_on}" + (f" until {r.ends_on}" if r.ends_on else " indefinitely")
            for r in answer.reasons
        )
        again = (
            f"; eligible again on {answer.eligible_again_on}" if answer.eligible_again_on else ""
        )
        raise InvalidArgument(
            f"vendorId: {vendor_id} is not eligible at {agency}: {reasons}{again}"
        )


@strawberry.type
class MigrationMutation:
    @strawberry.mutation(description="Opens a plan by hand (e.g. for a high-risk vendor).")
    async def create_migration_plan(
        self, info: Info, vendor_id: strawberry.ID, agency: str, reason: str, plan_id: strawberry.ID
    ) -> SubmittedEvent:
        payload = {"plan_id": str(plan_id), "agency": agency, "reason": reason}
        return await record(info, MigrationPlanRequested.event_type, str(vendor_id), payload)

    @strawberry.mutation(description="Changes how a plan is scheduled (capacity, blackouts, …).")
    async def configure_migration_plan(
        self, info: Info, plan_id: strawberry.ID, settings: MigrationPlanSettingsInput
    ) -> SubmittedEvent:
        plan = await _plan(info, str(plan_id))
        payload = {"plan_id": plan.plan_id, **_given(settings)}
        return await record(info, MigrationPlanConfigured.event_type, plan.vendor_id, payload)

    @strawberry.mutation(description="Describes an item: criticality, dependencies, lead time.")
    async def configure_migration_item(
        self,
        info: Info,
        plan_id: strawberry.ID,
        contract_id: strawberry.ID,
        item: MigrationItemInput,
    ) -> SubmittedEvent:
        plan = await _plan(info, str(plan_id))
        await _item(info, plan, str(contract_id))
        payload = {"plan_id": plan.plan_id, "contract_id": str(contract_id), **_given(item)}
        return await record(info, MigrationItemConfigured.event_type, plan.vendor_id, payload)

    @strawberry.mutation(
        description="Chooses the vendor that takes an item over; refused, with the reason, when"
        " that vendor may not bid at the plan's agency."
    )
    async def choose_replacement_vendor(
        self,
        info: Info,
        plan_id: strawberry.ID,
        contract_id: strawberry.ID,
        vendor_id: strawberry.ID,
        chosen_on: dt.date | None = None,
    ) -> SubmittedEvent:
        plan = await _plan(info, str(plan_id))
        await _item(info, plan, str(contract_id))
        await _refuse_ineligible(info, str(vendor_id), plan.agency)
        payload = {
            "plan_id": plan.plan_id,
            "contract_id": str(contract_id),
            "replacement_vendor_id": str(vendor_id),
            "chosen_on": chosen_on or info.context.settings.clock.today(),
        }
        return await record(info, MigrationReplacementChosen.event_type, plan.vendor_id, payload)

    @strawberry.mutation(description="Passes (or withdraws) one readiness check of an item.")
    async def update_migration_checklist(
        self,
        info: Info,
        plan_id: strawberry.ID,
        contract_id: strawberry.ID,
        check: ChecklistCheck,  # type: ignore[valid-type]
        passed: bool,
        note: str | None = None,
    ) -> SubmittedEvent:
        plan = await _plan(info, str(plan_id))
        await _item(info, plan, str(contract_id))
        payload = {
            "plan_id": plan.plan_id,
            "contract_id": str(contract_id),
            "check": check,
            "passed": passed,
            **({"note": note} if note is not None else {}),
        }
        return await record(info, MigrationChecklistUpdated.event_type, plan.vendor_id, payload)

    @strawberry.mutation(
        description="Records a milestone: started, done (refused while the checklist is"
        " incomplete), blocked (with what blocks it), or back to planned."
    )
    async def record_migration_milestone(
        self,
        info: Info,
        plan_id: strawberry.ID,
        contract_id: strawberry.ID,
        status: MigrationItemStatus,  # type: ignore[valid-type]
        on: dt.date | None = None,
        note: str | None = None,
    ) -> SubmittedEvent:
        plan = await _plan(info, str(plan_id))
        item = await _item(info, plan, str(contract_id))
        if status == ItemStatusModel.DONE:
            refusal = refusal_to_finish(item)
            if refusal is not None:
                raise InvalidArgument(f"status: {refusal}")
        payload = {
            "plan_id": plan.plan_id,
            "contract_id": str(contract_id),
            "status": status,
            "on": on or info.context.settings.clock.today(),
            **({"note": note} if note is not None else {}),
        }
        return await record(info, MigrationItemStatusChanged.event_type, plan.vendor_id, payload)
