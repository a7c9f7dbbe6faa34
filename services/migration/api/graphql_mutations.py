"""What system owners record about their migration plans. Each mutation checks what it can
at once (plan_receipts.py: the plan and item exist, the replacement is eligible, a day stated
as past has come, a deadline has not passed, a milestone or a replacement's choice is not
dated before its plan; here: the checklist is complete, a phase's capacity falls on a phase),
and answers every problem it finds together, or appends the event to the log, where the
migration service applies (and checks) it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

import strawberry
from pydantic import ValidationError

from services.events.catalog import Problem
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
from services.migration.api.graphql_enums import MigrationItemStatus
from services.migration.api.graphql_inputs import (
    ChecklistCheck,
    MigrationItemInput,
    MigrationPlanSettingsInput,
    given_fields,
)
from services.migration.api.plan_receipts import (
    Found,
    before_opened,
    deadline_gone,
    done,
    ineligibility,
    plan_request_refusals,
    record_on_plan,
    to_come,
    unchanged,
)
from services.migration.domain.cutover_order import done_problems
from services.migration.domain.item_changes import item_change_problems
from services.migration.domain.items import ItemState, refusal_to_finish, replacing_itself
from services.migration.domain.no_change import (
    same_check,
    same_milestone,
    same_properties,
    same_replacement,
    same_settings,
)
from services.migration.domain.plan_settings import configure, settings_refusal
from services.migration.storage.plan_repository import PlanRow
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import IdempotencyKey, WaitForProcessing
from services.platform.graphql.receipts import Draft, EventReceipt, nested_in, record, renamed
from services.platform.graphql.scope_names import as_stored

PLAN = strawberry.argument(description="The plan, by its id.")
ITEM = strawberry.argument(description="The item, by its contract's id.")

WAIT = "Also wait for the migration service to apply it."


@strawberry.type
class MigrationMutation:
    @strawberry.mutation(description="Opens a plan by hand (e.g. for a high-risk vendor).")
    async def create_migration_plan(
        self,
        info: Info,
        vendor_id: Annotated[
            strawberry.ID, strawberry.argument(description="The vendor to move away from.")
        ],
        agency: Annotated[
            str,
            strawberry.argument(description="The agency whose contracts move (one of yours)."),
        ],
        reason: Annotated[str, strawberry.argument(description="Why the plan is opened.")],
        plan_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="Id of the new plan, chosen by the caller (letters, digits and"
                " . _ : -, up to 128 characters)."
            ),
        ],
        wait_for_processing: WaitForProcessing = False,
        idempotency_key: IdempotencyKey = None,
    ) -> EventReceipt:
        async def build() -> Draft:
            principal = info.context.principal
            # Judged as the plan's event will store it (trimmed).
            mine = as_stored(agency)
            theirs = principal is None or not principal.agencies or mine in principal.agencies
            payload = {"plan_id": str(plan_id), "agency": agency, "reason": reason}
            if not theirs:
                problem = Problem(
                    "agency", f"{agency} is not one of your agencies", "not_your_agency"
                )
                return Draft(str(vendor_id), payload, (problem,))
            # What migration would refuse the request for, said here rather than after.
            refusals = await plan_request_refusals(info, str(vendor_id), str(plan_id), mine)
            return Draft(str(vendor_id), payload, tuple(refusals))

        return await record(
            info,
            MigrationPlanRequested.event_type,
            build,
            wait=wait_for_processing,
            key=idempotency_key,
        )

    @strawberry.mutation(
        description="Changes how a plan is scheduled (capacity, blackouts, …); settings given"
        " as they are change nothing (`no_change`)."
    )
    async def configure_migration_plan(
        self,
        info: Info,
        plan_id: Annotated[strawberry.ID, PLAN],
        settings: Annotated[
            MigrationPlanSettingsInput,
            strawberry.argument(description="The settings to change."),
        ],
        wait_for_processing: WaitForProcessing = False,
        idempotency_key: IdempotencyKey = None,
    ) -> EventReceipt:
        def payload(plan: PlanRow) -> dict[str, Any]:
            return {"plan_id": plan.plan_id, **given_fields(settings)}

        async def check(plan: PlanRow, *_: object) -> Found:
            deadline = given_fields(settings).get("deadline_on")
            gone = deadline_gone(info, "settings.deadlineOn", deadline, plan.settings.deadline_on)
            # The plan's settings as migration would leave them: a phase's capacity given
            # for a day no phase starts on is refused here, not dead-lettered after.
            try:
                change = MigrationPlanConfigured.model_validate(payload(plan))
            except ValidationError:
                return (gone,)  # and the event's own problems: the receipt says them, by field
            if refusal := settings_refusal(configure(plan.settings, change)):
                message = refusal.removeprefix("capacity_overrides: ")
                return (gone, Problem("settings.capacityOverrides", message, "not_a_phase_start"))
            # The settings given as they are, at `settings` (the payload as a whole).
            return (gone, unchanged("payload", same_settings(plan.plan_id, plan.settings, change)))

        return await record_on_plan(
            info,
            MigrationPlanConfigured.event_type,
            str(plan_id),
            None,
            payload,
            wait_for_processing,
            check,
            key=idempotency_key,
            argument=nested_in("settings", "planId"),
        )

    @strawberry.mutation(
        description="Describes an item: criticality, dependencies, lead time; properties given"
        " as they are change nothing (`no_change`)."
    )
    async def configure_migration_item(
        self,
        info: Info,
        plan_id: Annotated[strawberry.ID, PLAN],
        contract_id: Annotated[strawberry.ID, ITEM],
        item: Annotated[
            MigrationItemInput, strawberry.argument(description="What to change about it.")
        ],
        wait_for_processing: WaitForProcessing = False,
        idempotency_key: IdempotencyKey = None,
    ) -> EventReceipt:
        def payload(plan: PlanRow) -> dict[str, Any]:
            return {"plan_id": plan.plan_id, "contract_id": str(contract_id), **given_fields(item)}

        async def check(
            plan: PlanRow, state: ItemState | None, items: Mapping[str, ItemState]
        ) -> Found:
            assert state is not None  # record_on_plan gives the item a contract id names
            if (finished := done(state)) is not None:
                return (finished,)
            given = given_fields(item).get("deadline_on")
            gone = deadline_gone(info, "item.deadlineOn", given, state.deadline_on)
            # Against the plan as it stands, as migration will judge it: a dependency on no
            # item of the plan, a deadline before the earliest date.
            try:
                change = MigrationItemConfigured.model_validate(payload(plan))
            except ValidationError:
                return (gone,)  # and the event's own problems: the receipt says them, by field
            found = item_change_problems(state, plan.plan_id, items, change)
            return (
                gone,
                *(dataclasses.replace(p, field=f"payload.{p.field}") for p in found),
                unchanged("payload", same_properties(state, change)),  # at `item`
            )

        return await record_on_plan(
            info,
            MigrationItemConfigured.event_type,
            str(plan_id),
            str(contract_id),
            payload,
            wait_for_processing,
            check,
            key=idempotency_key,
            argument=nested_in("item", "planId", "contractId"),
        )

    @strawberry.mutation(
        description="Chooses the vendor that takes an item over; refused, with the reason, when"
        " that vendor may not bid at the plan's agency for the contract's category, or a"
        " sanction already recorded will bar it there later (`barred_later`), or it is the"
        " vendor being replaced (`vendor_being_replaced`); the same vendor"
        " chosen again on the day it was chosen changes nothing (`no_change`)."
    )
    async def choose_replacement_vendor(
        self,
        info: Info,
        plan_id: Annotated[strawberry.ID, PLAN],
        contract_id: Annotated[strawberry.ID, ITEM],
        vendor_id: Annotated[
            strawberry.ID, strawberry.argument(description="The replacement vendor, by its id.")
        ],
        chosen_on: Annotated[
            dt.date | None,
            strawberry.argument(
                description="Day it was chosen; default: today in the registry's time zone."
                " A day still to come is refused (`in_the_future`), and so is one before the"
                " plan was opened (`before_plan`)."
            ),
        ] = None,
        wait_for_processing: WaitForProcessing = False,
        idempotency_key: IdempotencyKey = None,
    ) -> EventReceipt:
        async def check(
            plan: PlanRow, item: ItemState | None, *_: object
        ) -> tuple[Problem | None, ...]:
            assert item is not None  # record_on_plan gives the item a contract id names
            day = chosen_on or info.context.settings.clock.today()
            dated = (to_come("chosenOn", chosen_on), before_opened("chosenOn", chosen_on, plan))
            if itself := replacing_itself(plan.vendor_id, str(vendor_id)):
                # Its eligibility is beside the point: it cannot take over from itself.
                itself_said = Problem("vendorId", itself, "vendor_being_replaced")
                return (*dated, done(item), itself_said)
            return (
                *dated,
                done(item),
                unchanged("vendorId", same_replacement(item, str(vendor_id), day)),
                await ineligibility(info, str(vendor_id), plan.agency, str(contract_id)),
            )

        return await record_on_plan(
            info,
            MigrationReplacementChosen.event_type,
            str(plan_id),
            str(contract_id),
            lambda plan: {
                "plan_id": plan.plan_id,
                "contract_id": str(contract_id),
                "replacement_vendor_id": str(vendor_id),
                "chosen_on": chosen_on or info.context.settings.clock.today(),
            },
            wait_for_processing,
            check,
            key=idempotency_key,
            argument=renamed({"replacementVendorId": "vendorId"}),
        )

    @strawberry.mutation(
        description="Passes (or withdraws) one readiness check of an item; one already passed"
        " (or not passed) changes nothing (`no_change`); a done item's checks change no more"
        " (`item_done`)."
    )
    async def update_migration_checklist(
        self,
        info: Info,
        plan_id: Annotated[strawberry.ID, PLAN],
        contract_id: Annotated[strawberry.ID, ITEM],
        check: Annotated[
            ChecklistCheck,  # type: ignore[valid-type]
            strawberry.argument(description="The check."),
        ],
        passed: Annotated[bool, strawberry.argument(description="True: passed; false: withdrawn.")],
        note: Annotated[
            str | None, strawberry.argument(description="A remark for the record; optional.")
        ] = None,
        wait_for_processing: WaitForProcessing = False,
        idempotency_key: IdempotencyKey = None,
    ) -> EventReceipt:
        async def judged(_: PlanRow, item: ItemState | None, *__: object) -> Found:
            assert item is not None  # record_on_plan gives the item a contract id names
            # A done item's checks are history: neither withdrawn nor ticked (migration
            # refuses a tick from the rules of 2026-12-08 on; the receipt whenever asked).
            if (finished := done(item)) is not None:
                return (finished,)
            return (unchanged("check", same_check(item, check, passed)),)

        return await record_on_plan(
            info,
            MigrationChecklistUpdated.event_type,
            str(plan_id),
            str(contract_id),
            lambda plan: {
                "plan_id": plan.plan_id,
                "contract_id": str(contract_id),
                "check": check,
                "passed": passed,
                **({"note": note} if note is not None else {}),
            },
            wait_for_processing,
            judged,
            key=idempotency_key,
        )

    @strawberry.mutation(
        description="Records a milestone: started, done (refused while the checklist is"
        " incomplete, before the items it moves after are done, `dependency_not_done`, and,"
        " where its plan forbids early termination, on or before its contract's last day,"
        " `before_contract_end`), blocked (with what blocks it), or back to planned; the"
        " milestone the item stands at, on its day with its note, again changes nothing"
        " (`no_change`)."
    )
    async def record_migration_milestone(
        self,
        info: Info,
        plan_id: Annotated[strawberry.ID, PLAN],
        contract_id: Annotated[strawberry.ID, ITEM],
        status: Annotated[
            MigrationItemStatus,  # type: ignore[valid-type]
            strawberry.argument(description="The item's new status."),
        ],
        on: Annotated[
            dt.date | None,
            strawberry.argument(
                description="Day of the milestone; default: today in the registry's time zone."
                " A day still to come is refused (`in_the_future`), and so is one before the"
                " plan was opened (`before_plan`)."
            ),
        ] = None,
        note: Annotated[
            str | None,
            strawberry.argument(description="What happened; for BLOCKED, what blocks it."),
        ] = None,
        wait_for_processing: WaitForProcessing = False,
        idempotency_key: IdempotencyKey = None,
    ) -> EventReceipt:
        def payload(plan: PlanRow) -> dict[str, Any]:
            return {
                "plan_id": plan.plan_id,
                "contract_id": str(contract_id),
                "status": status,
                "on": on or info.context.settings.clock.today(),
                **({"note": note} if note is not None else {}),
            }

        async def check(
            plan: PlanRow, item: ItemState | None, items: Mapping[str, ItemState]
        ) -> tuple[Problem | None, ...]:
            assert item is not None  # record_on_plan gives the item a contract id names
            finishing = status == ItemStatusModel.DONE
            dated = (to_come("on", on), before_opened("on", on, plan))
            if (finished := done(item)) is not None:
                return (*dated, finished)
            if not finishing:
                # The milestone as the event will hold it (its note stripped), as migration
                # compares it: the raw note, "vendor late ", is no other note than "vendor late".
                try:
                    given = MigrationItemStatusChanged.model_validate(payload(plan))
                except ValidationError:
                    return dated  # and the event's own problems: the receipt says them, by field
                same = same_milestone(item, given.status, given.on, given.note)
                return (*dated, unchanged("status", same))
            refusal = refusal_to_finish(item)
            day = on or info.context.settings.clock.today()
            return (
                *dated,
                None if refusal is None else Problem("status", refusal, "checklist_incomplete"),
                # Out of the plan's order: what migration refuses (cutover_order.py), early
                # by the day whenever asked (nothing is recorded of what it refuses).
                *done_problems(item, items, day, plan.settings, by_day=True),
            )

        return await record_on_plan(
            info,
            MigrationItemStatusChanged.event_type,
            str(plan_id),
            str(contract_id),
            payload,
            wait_for_processing,
            check,
            key=idempotency_key,
        )
