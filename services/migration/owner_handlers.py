"""Migration handlers for what system owners record about their plans (through the API or any
producer). Each checks the plan's rules; one that cannot apply is refused with the reason
(a dead letter), and nothing of it is written. A day an owner states as past may not be
still to come (for events recorded from the later rules on: platform's later_rules), nor may
an item's dependencies close a cycle (from the rules of 2026-12-06 on), nor an item be marked
done out of the order its plan keeps (from the rules of 2026-12-07 on; before its contract's
end judged by the day from those of 2026-12-08 on), nor a change change nothing (from the
rules of 2026-12-07 on), nor a done item's check be ticked (from the rules of 2026-12-08
on). A withdrawn plan changes no more, and a plan whose vendor is barred from its contracts,
now or, from the rules of 2026-12-07 on, by a bar already recorded to begin before they
end, is not withdrawn (domain/withdrawal.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import cast

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.migration import (
    MigrationChecklistUpdated,
    MigrationItemConfigured,
    MigrationItemStatus,
    MigrationItemStatusChanged,
    MigrationPlanConfigured,
    MigrationPlanRequested,
    MigrationPlanWithdrawn,
    MigrationReplacementChosen,
)
from services.migration.domain import change_words
from services.migration.domain.cutover_order import done_problems
from services.migration.domain.item_changes import changed_item, item_change_problems
from services.migration.domain.items import (
    ItemState,
    done_already,
    refusal_to_finish,
    replacing_itself,
)
from services.migration.domain.no_change import (
    changed_fields,
    same_check,
    same_milestone,
    same_properties,
    same_replacement,
    same_settings,
)
from services.migration.domain.plan_settings import configure, settings_refusal
from services.migration.domain.withdrawal import changes_refusal, withdrawal_refusal
from services.migration.plan_opening import open_by_hand
from services.migration.storage import contract_repository, plan_repository, plan_withdrawal
from services.migration.storage.plan_loading import barred_later_of_plan, load_items
from services.migration.storage.plan_repository import PlanRow
from services.platform.clock import Clock
from services.platform.consuming.consumer import DomainRejection
from services.platform.eventstore.later_rules import (
    future_day,
    judged_by_fifth_rules,
    judged_by_fourth_rules,
    judged_by_later_rules,
    judged_by_third_rules,
)
from services.platform.eventstore.recorded_time import recorded_time
from services.platform.postgres.database import Connection


def _named(
    given: AbstractSet[str], before: object, after: object, recorded: dt.datetime
) -> list[str]:
    """The fields a re-plan's cause names: those the change gave that it changed (from the
    rules of 2026-12-08 on; before, every field given, and a rebuild names them so again,
    since the causes of revisions not yet planned are replayed)."""
    named = sorted(given)
    if judged_by_fifth_rules(recorded):
        return changed_fields(before, after, named)
    return named


def problems_said(problems: Sequence[Problem]) -> str:
    """A refusal of the event's payload, each problem at its field: a dead letter's reason."""
    return "; ".join(f"payload.{problem.field}: {problem.message}" for problem in problems)


async def require_plan(
    conn: Connection, event: EventEnvelope, plan_id: str, *, withdrawn_too: bool = False
) -> PlanRow:
    """The event's plan, of its vendor; not withdrawn (a withdrawn plan changes no more: no
    plan was withdrawn before the event that withdraws one existed, so this judges no event
    of an older log otherwise), unless `withdrawn_too`."""
    plan = await plan_repository.plan(conn, plan_id)
    if plan is None or plan.vendor_id != event.vendor_id:
        raise DomainRejection(f"payload.plan_id: no plan {plan_id!r} for {event.vendor_id}")
    if not withdrawn_too and (refusal := changes_refusal(plan.plan_id, plan.withdrawn_at)):
        raise DomainRejection(problems_said([refusal]))
    return plan


async def require_items(
    conn: Connection, plan: PlanRow, contract_id: str
) -> Mapping[str, ItemState]:
    """The plan's items by contract id, `contract_id` among them."""
    items = await load_items(conn, plan)
    if contract_id not in items:
        raise DomainRejection(
            f"payload.contract_id: {contract_id!r} is not an item of plan {plan.plan_id}"
        )
    return items


async def require_item(conn: Connection, plan: PlanRow, contract_id: str) -> ItemState:
    return (await require_items(conn, plan, contract_id))[contract_id]


@dataclass(frozen=True)
class OwnerHandlers:
    """`announce=False` (a rebuild): plans are opened as live, but not announced again."""

    clock: Clock
    announce: bool = True

    async def plan_requested(self, conn: Connection, event: EventEnvelope) -> None:
        p = cast(MigrationPlanRequested, event.payload)
        refusal = await open_by_hand(
            conn,
            event.vendor_id,
            p.plan_id,
            p.agency,
            p.reason,
            event.occurred_at.astimezone(self.clock.timezone).date(),
            await recorded_time(conn, event, self.clock),
            self.announce,
        )
        if refusal:
            raise DomainRejection(problems_said(refusal))

    async def plan_withdrawn(self, conn: Connection, event: EventEnvelope) -> None:
        """The plan withdrawn: not scheduled again (`plans_due_by_size`), passed by by the
        world's events, its items as they are (those done stay its history). No new version:
        nothing is scheduled, and the event is the record. Its first rules judge every
        withdrawal (the event type was new: no log held one judged before them); a bar
        recorded to come judges those recorded from the rules of 2026-12-07 on, since
        withdrawals were recorded before it."""
        p = cast(MigrationPlanWithdrawn, event.payload)
        plan = await require_plan(conn, event, p.plan_id, withdrawn_too=True)
        at = await recorded_time(conn, event, self.clock)
        # A bar recorded to begin before the contracts end: from the rules of 2026-12-07 on.
        later = await barred_later_of_plan(conn, plan) if judged_by_fourth_rules(at) else None
        refusal = withdrawal_refusal(plan, later)
        if refusal is not None:
            raise DomainRejection(problems_said([refusal]))
        await plan_withdrawal.withdraw(conn, plan.plan_id, at, p.reason)

    async def plan_configured(self, conn: Connection, event: EventEnvelope) -> None:
        p = cast(MigrationPlanConfigured, event.payload)
        plan = await require_plan(conn, event, p.plan_id)
        settings = configure(plan.settings, p)
        refusal = settings_refusal(settings)
        if refusal is not None:
            raise DomainRejection(f"payload.{refusal}")
        at = await recorded_time(conn, event, self.clock)
        same = same_settings(plan.plan_id, plan.settings, p)
        await self._refuse_if_nothing(conn, event, "", same, at)
        await plan_repository.set_settings(conn, plan.plan_id, settings)
        named = _named(p.model_fields_set - {"plan_id"}, plan.settings, settings, at)
        await plan_repository.changed(conn, plan.plan_id, change_words.settings_changed(named))

    async def item_configured(self, conn: Connection, event: EventEnvelope) -> None:
        p = cast(MigrationItemConfigured, event.payload)
        plan = await require_plan(conn, event, p.plan_id)
        items = await require_items(conn, plan, p.contract_id)
        item = items[p.contract_id]
        await self._refuse_if_done(conn, event, item)
        # A cycle was applied before its rule, and no schedule of the plan was then found.
        at = await recorded_time(conn, event, self.clock)
        cycles = judged_by_third_rules(at)
        if problems := item_change_problems(item, plan.plan_id, items, p, cycles=cycles):
            raise DomainRejection(problems_said(problems))
        await self._refuse_if_nothing(conn, event, "", same_properties(item, p), at)
        changed = changed_item(item, p)
        await plan_repository.update_item(
            conn,
            plan.plan_id,
            item.contract_id,
            criticality=changed.criticality.value,
            depends_on=list(changed.depends_on),
            lead_time_months=changed.lead_time_months,
            earliest_on=changed.earliest_on,
            deadline_on=changed.deadline_on,
        )
        named = _named(p.model_fields_set - {"plan_id", "contract_id"}, item, changed, at)
        await plan_repository.changed(
            conn, plan.plan_id, change_words.item_changed(item.contract_id, named)
        )

    async def _refuse_if_to_come(
        self, conn: Connection, event: EventEnvelope, field: str, day: dt.date
    ) -> dt.datetime:
        """Refuses a day an owner states as past (a choice made, a milestone reached) that
        had begun nowhere when the log recorded it: a replacement "chosen" in 2030 would push
        its lead time, and the item's cut-over, there. Returns when the log recorded the
        event, for the handler's other rules (a statement less each)."""
        recorded = await recorded_time(conn, event, self.clock)
        if judged_by_later_rules(recorded) and (message := future_day(day, recorded)):
            raise DomainRejection(f"payload.{field}: {message}")
        return recorded

    async def _refuse_if_done(
        self, conn: Connection, event: EventEnvelope, item: ItemState
    ) -> None:
        """Refuses an owner's change of a done item (`done_already`), for events the log
        recorded from the later rules on (earlier ones were applied)."""
        refusal = done_already(item)
        if refusal is not None and judged_by_later_rules(
            await recorded_time(conn, event, self.clock)
        ):
            raise DomainRejection(f"payload.contract_id: {refusal}")

    async def _refuse_if_nothing(
        self,
        conn: Connection,
        event: EventEnvelope,
        field: str,
        refusal: str | None,
        recorded: dt.datetime | None = None,
    ) -> None:
        """Refuses a change that changes nothing (`no_change`), for events the log recorded
        from the rules of 2026-12-07 on (earlier ones were applied: a replacement chosen
        again made a version identical to the last); `field` "": the payload's as a whole (an
        item's properties, a plan's settings). `recorded`: when the log recorded the event,
        if the handler has read it (else read here, only for a refusal)."""
        if refusal is None:
            return
        if judged_by_fourth_rules(recorded or await recorded_time(conn, event, self.clock)):
            raise DomainRejection(f"payload{'.' if field else ''}{field}: {refusal}")

    async def replacement_chosen(self, conn: Connection, event: EventEnvelope) -> None:
        p = cast(MigrationReplacementChosen, event.payload)
        plan = await require_plan(conn, event, p.plan_id)
        item = await require_item(conn, plan, p.contract_id)
        await self._refuse_if_to_come(conn, event, "chosen_on", p.chosen_on)
        await self._refuse_if_done(conn, event, item)
        await self._refuse_if_nothing(
            conn,
            event,
            "replacement_vendor_id",
            same_replacement(item, p.replacement_vendor_id, p.chosen_on),
        )
        if itself := replacing_itself(plan.vendor_id, p.replacement_vendor_id):
            raise DomainRejection(f"payload.replacement_vendor_id: {itself}")
        # Barred from the contract's category at the agency: a sanction of other categories
        # leaves the vendor free to take this contract over.
        category = await contract_repository.category_of(conn, item.contract_id)
        barred = await contract_repository.bar(conn, p.replacement_vendor_id, plan.agency, category)
        if barred is not None:
            raise DomainRejection(
                f"payload.replacement_vendor_id: {p.replacement_vendor_id} is not eligible at "
                f"{plan.agency}: {barred}"
            )
        await plan_repository.update_item(
            conn,
            plan.plan_id,
            item.contract_id,
            replacement_vendor_id=p.replacement_vendor_id,
            replacement_chosen_on=p.chosen_on,
        )
        chosen = change_words.replacement_chosen(
            item.contract_id, p.replacement_vendor_id, p.chosen_on
        )
        await plan_repository.changed(conn, plan.plan_id, chosen)

    async def checklist_updated(self, conn: Connection, event: EventEnvelope) -> None:
        p = cast(MigrationChecklistUpdated, event.payload)
        plan = await require_plan(conn, event, p.plan_id)
        item = await require_item(conn, plan, p.contract_id)
        if item.status is MigrationItemStatus.DONE and not p.passed:
            raise DomainRejection(
                f"payload.passed: {item.contract_id} is done; its checks can no longer be withdrawn"
            )
        recorded = await recorded_time(conn, event, self.clock)
        # Ticked once done: applied, as a new version, before the rules of 2026-12-08.
        finished = done_already(item)
        if finished is not None and judged_by_fifth_rules(recorded):
            raise DomainRejection(f"payload.contract_id: {finished}")
        same = same_check(item, p.check, p.passed)
        await self._refuse_if_nothing(conn, event, "check", same, recorded)
        if await plan_repository.set_check(conn, plan.plan_id, item.contract_id, p.check, p.passed):
            changed = change_words.check_changed(item.contract_id, p.check, p.passed)
            await plan_repository.changed(conn, plan.plan_id, changed)

    async def item_status_changed(self, conn: Connection, event: EventEnvelope) -> None:
        p = cast(MigrationItemStatusChanged, event.payload)
        plan = await require_plan(conn, event, p.plan_id)
        items = await require_items(conn, plan, p.contract_id)
        item = items[p.contract_id]
        recorded = await self._refuse_if_to_come(conn, event, "on", p.on)
        if p.status is MigrationItemStatus.DONE:
            await self._refuse_if_done(conn, event, item)  # done again: a version of nothing
            refusal = refusal_to_finish(item)
            if refusal is not None:
                raise DomainRejection(f"payload.status: {refusal}")
            # Out of order, it was applied before its rule, as it was then; early by the
            # phase alone until the rules of 2026-12-08, by the day from them on.
            by_day = judged_by_fifth_rules(recorded)
            problems = done_problems(item, items, p.on, plan.settings, by_day=by_day)
            if problems and judged_by_fourth_rules(recorded):
                raise DomainRejection(problems_said(problems))
        elif item.status is MigrationItemStatus.DONE:
            raise DomainRejection(f"payload.status: {item.contract_id} is done already")
        else:
            await self._refuse_if_nothing(
                conn, event, "status", same_milestone(item, p.status, p.on, p.note)
            )
        await plan_repository.update_item(
            conn,
            plan.plan_id,
            item.contract_id,
            status=p.status.value,
            status_on=p.on,
            status_note=p.note,
        )
        said = change_words.milestone(item.contract_id, p.status, p.on, p.note, item.status)
        await plan_repository.changed(conn, plan.plan_id, said)
