"""A system owner withdraws a plan (`withdrawMigrationPlan`): through the same receipt as the
other plan mutations (plan_receipts.record_on_plan: the plan must be one of the caller's
agencies'), refused there by the rule migration applies (domain/withdrawal.py), so that what
the receipt accepts is not dead-lettered after."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import strawberry

from services.events.migration import MigrationPlanWithdrawn
from services.migration.api.graphql_mutations import PLAN
from services.migration.api.plan_receipts import Found, record_on_plan
from services.migration.domain.withdrawal import withdrawal_refusal
from services.migration.storage.plan_loading import barred_later_of_plan
from services.migration.storage.plan_repository import PlanRow
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import IdempotencyKey, WaitForProcessing
from services.platform.graphql.receipts import EventReceipt


@strawberry.type
class MigrationWithdrawalMutation:
    @strawberry.mutation(
        description="Withdraws a plan that need not be carried out (opened by mistake, or its"
        " vendor may bid for its contracts again and the agency keeps them): it is scheduled"
        " and changed no more, its items done stay its history, and a later bar of the vendor"
        " at the agency opens a new plan. Refused while the vendor is still barred at the"
        " agency from the plan's contracts (`still_barred`: they must move), while a sanction"
        " already recorded will bar it there before they end (`barred_later`, naming the bar"
        " and the contracts that run into it: they must move by their end), and for a"
        " plan withdrawn already (`withdrawn_already`)."
    )
    async def withdraw_migration_plan(
        self,
        info: Info,
        plan_id: Annotated[strawberry.ID, PLAN],
        reason: Annotated[str, strawberry.argument(description="Why the plan is withdrawn.")],
        wait_for_processing: WaitForProcessing = False,
        idempotency_key: IdempotencyKey = None,
    ) -> EventReceipt:
        async def check(plan: PlanRow, *_: object) -> Found:
            async with info.context.pool.acquire() as conn:
                later = await barred_later_of_plan(conn, plan)
            refusal = withdrawal_refusal(plan, later)
            # At the argument the plan was named by: the event's `plan_id`.
            return (None if refusal is None else dataclasses.replace(refusal, field="planId"),)

        return await record_on_plan(
            info,
            MigrationPlanWithdrawn.event_type,
            str(plan_id),
            None,
            lambda plan: {"plan_id": plan.plan_id, "reason": reason},
            wait_for_processing,
            check,
            key=idempotency_key,
            withdrawn_too=True,
        )
