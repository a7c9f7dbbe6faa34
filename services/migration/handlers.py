"""Migration handlers for what happens in the world: contracts, the registry's eligibility
announcements, certificates. Each change that bears on a plan marks it for re-planning with
the cause; the planner (planner.py) does the solving outside the event transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from services.events.base import EventEnvelope
from services.events.compliance import CertificateKind, CertificateSubmitted
from services.events.contract import (
    ContractAmended,
    ContractAwarded,
    ContractTerminated,
    SubcontractApproved,
    SubcontractRejected,
    SubcontractRequested,
    TerminationReason,
)
from services.events.emitted import (
    EligibilityChanged,
    EligibilityReasonRef,
    barring_at,
    reasons_key,
)
from services.events.migration import ChecklistCheck, MigrationItemStatus, MigrationTrigger
from services.migration.domain import bars
from services.migration.plan_opening import cover, restate
from services.migration.storage import contract_repository, plan_repository
from services.platform.clock import Clock
from services.platform.eventstore.later_rules import judged_by_fifth_rules
from services.platform.eventstore.recorded_time import recorded_time
from services.platform.postgres.database import Connection

ONE_DAY = dt.timedelta(days=1)
_CERTIFICATE_CHECKS = {
    CertificateKind.DATA_ERASURE: ChecklistCheck.ERASURE_CERTIFICATE_RECEIVED,
    CertificateKind.MEDIA_DISPOSAL: ChecklistCheck.DISPOSAL_CERTIFICATE_RECEIVED,
}


def _said_here(
    now: Sequence[EligibilityReasonRef],
    later: Sequence[EligibilityReasonRef],
    agency: str,
    category: str | None,
) -> tuple[str, str]:
    """What bars a vendor at `agency` from `category`, now and later, as comparable texts."""
    return (
        reasons_key(barring_at(now, agency, category)),
        reasons_key(barring_at(later, agency, category)),
    )


@dataclass(frozen=True)
class WorldHandlers:
    """`announce=False` (a rebuild): plans are opened as live, but not announced again."""

    clock: Clock
    announce: bool = True

    async def _cover(
        self, conn: Connection, event: EventEnvelope, vendor_id: str, agency: str | None, cause: str
    ) -> dict[str, list[str | None]]:
        """`cover`, dating what it opens when the log recorded the event (alike on replay)."""
        now = await recorded_time(conn, event, self.clock)
        return await cover(conn, vendor_id, agency, cause, now, self.announce)

    async def contract_awarded(self, conn: Connection, event: EventEnvelope) -> None:
        p = cast(ContractAwarded, event.payload)
        await contract_repository.put_contract(
            conn,
            p.contract_id,
            event.vendor_id,
            p.agency,
            p.title,
            p.criticality,
            p.starts_on,
            p.ends_on,
            p.category,
        )
        cause = f"new contract {p.contract_id} '{p.title}' found (awarded {p.awarded_on})"
        await self._cover(conn, event, event.vendor_id, p.agency, cause)

    async def contract_amended(self, conn: Connection, event: EventEnvelope) -> None:
        p = cast(ContractAmended, event.payload)
        if p.ends_on is None:
            return
        known = await contract_repository.contract(conn, p.contract_id)
        if known is not None and known.ends_on == p.ends_on:
            return  # the same end: nothing to plan again
        await contract_repository.set_end(conn, p.contract_id, p.ends_on)
        cause = f"{p.contract_id}'s term now ends on {p.ends_on} ({p.reason})"
        for plan_id in await plan_repository.open_items_of_contract(conn, p.contract_id):
            await plan_repository.update_item(conn, plan_id, p.contract_id, ends_on=p.ends_on)
            await plan_repository.changed(conn, plan_id, cause)
        if known is not None:
            # A contract that had ended before its vendor (or an approved subcontractor) was
            # barred, extended past that day, runs with a barred vendor again: its plan takes it.
            working = [known.vendor_id]
            working += await contract_repository.approved_subcontractors(conn, p.contract_id)
            for vendor_id in dict.fromkeys(working):
                await self._cover(conn, event, vendor_id, known.agency, cause)

    async def contract_terminated(self, conn: Connection, event: EventEnvelope) -> None:
        p = cast(ContractTerminated, event.payload)
        await contract_repository.terminate(conn, p.contract_id, p.terminated_on)
        for plan_id in await plan_repository.open_items_of_contract(conn, p.contract_id):
            if p.reason is TerminationReason.MIGRATED:
                # The replacement took over the next day: the item is done, on that day (as a
                # milestone's DONE is dated, `MigrationItemStatusChanged.on`), and its contract
                # ended with the termination, not at the end of the term it was awarded for.
                await plan_repository.end_item_by(conn, plan_id, p.contract_id, p.terminated_on)
                await plan_repository.update_item(
                    conn,
                    plan_id,
                    p.contract_id,
                    status=MigrationItemStatus.DONE.value,
                    status_on=p.terminated_on + ONE_DAY,
                    status_note=None,
                )
                cause = f"{p.contract_id} migrated (its contract ended on {p.terminated_on})"
            else:
                await plan_repository.delete_item(conn, plan_id, p.contract_id)
                cause = (
                    f"{p.contract_id} removed: contract terminated on {p.terminated_on} "
                    f"({p.reason.value})"
                )
            await plan_repository.changed(conn, plan_id, cause)

    async def subcontract_requested(self, conn: Connection, event: EventEnvelope) -> None:
        p = cast(SubcontractRequested, event.payload)
        await contract_repository.put_subcontract(
            conn, p.contract_id, p.subcontract_id, p.subcontractor_vendor_id
        )

    async def subcontract_decided(self, conn: Connection, event: EventEnvelope) -> None:
        p = cast(SubcontractApproved | SubcontractRejected, event.payload)
        approved = isinstance(p, SubcontractApproved)
        subcontractor = await contract_repository.decide_subcontract(
            conn, p.contract_id, p.subcontract_id, approved
        )
        contract = await contract_repository.contract(conn, p.contract_id)
        if approved and subcontractor and contract:
            cause = f"{subcontractor} approved as subcontractor on {p.contract_id}"
            await self._cover(conn, event, subcontractor, contract.agency, cause)

    async def eligibility_changed(self, conn: Connection, event: EventEnvelope) -> None:
        p = cast(EligibilityChanged, event.payload)
        vendor_id = event.vendor_id
        said_before = (await contract_repository.said_of(conn, [vendor_id])).get(vendor_id)
        await contract_repository.record_eligibility(conn, vendor_id, p)

        def bar(agency: str, category: str | None) -> str | None:
            # The announcement itself says what bars the vendor where: no need to read it back.
            return bars.describe(p.reasons, agency, category)

        every_plan = await plan_repository.plans_of(conn, vendor_id, withdrawn=True)
        plans = [pl for pl in every_plan if pl.withdrawn_at is None]
        withdrawn = [pl for pl in every_plan if pl.withdrawn_at is not None]
        categories = await plan_repository.item_categories(conn, [pl.plan_id for pl in every_plan])
        gained: dict[str, list[str | None]] = {}
        if not p.eligible:
            cause = f"{vendor_id} no longer eligible"
            gained = await self._cover(conn, event, vendor_id, None, cause)
        # The categories of each plan's contracts, those it just gained included (plans
        # `cover` opened are not in `plans`: they start barred, and say why).
        held = {
            plan_id: [*categories.get(plan_id, []), *gained.get(plan_id, [])]
            for plan_id in {*categories, *gained}
        }

        def eligible_at(plan: plan_repository.PlanRow) -> bool:
            # Free to bid for the plan's contracts: no sanction bars the vendor from any of
            # their categories there (a plan without items: from none at the agency).
            return not any(
                bar(plan.agency, category) for category in held.get(plan.plan_id) or [None]
            )

        for plan in withdrawn:
            # Passed by, but what it says of its vendor stays true: it said "may bid again"
            # of a vendor barred anew (a tester's finding). Nothing else of it changes.
            if eligible_at(plan) != plan.vendor_eligible:
                await plan_repository.set_vendor_eligible(
                    conn, plan.plan_id, not plan.vendor_eligible
                )
        for plan in plans:
            eligible_here = eligible_at(plan)
            if eligible_here != plan.vendor_eligible:
                await plan_repository.set_vendor_eligible(conn, plan.plan_id, eligible_here)
                if eligible_here and plan.trigger is not MigrationTrigger.MANUAL:
                    # Its reason said a bar still in force; barred again, `restate` says anew.
                    was = await self._ended(conn, event, said_before, plan, held, p.as_of)
                    free = bars.free_again(vendor_id, plan.agency, p.as_of, was)
                    await plan_repository.set_reason(conn, plan.plan_id, free, plan.trigger)
                state = "eligible again" if eligible_here else "no longer eligible"
                await plan_repository.changed(
                    conn, plan.plan_id, f"{vendor_id} {state} as of {p.as_of}"
                )
        if not p.eligible:
            await restate(conn, p.reasons, plans, held)
        for plan_id, contract_id, agency, category in await plan_repository.items_replaced_by(
            conn, vendor_id
        ):
            # An announcement about the replacement may change nothing for this contract (a
            # sanction elsewhere, or of other categories): no new version, and no cause that
            # says otherwise. What bars it here now and what is recorded to bar it here
            # later both count: a sanction recorded to begin before its cut-over leaves the
            # contract moved to a vendor that may not take it (`barred_later`).
            before = said_before or contract_repository.Said([], [])
            if _said_here(before.reasons, before.upcoming, agency, category) == _said_here(
                p.reasons, p.upcoming, agency, category
            ):
                continue
            problem = bars.replacement_problem(p.reasons, p.upcoming, agency, category)
            if problem is not None:
                # The item is open again: a new replacement must be found and prepared.
                await plan_repository.update_item(
                    conn, plan_id, contract_id, status=MigrationItemStatus.PLANNED.value
                )
            here = (
                "eligible again"
                if problem is None
                else "no longer eligible"
                if bar(agency, category)
                else "to be barred"
            )
            await plan_repository.changed(
                conn,
                plan_id,
                f"{contract_id}'s replacement {vendor_id} {here} as of {p.as_of}"
                + (f": {problem}" if problem else ""),
            )

    async def _ended(
        self,
        conn: Connection,
        event: EventEnvelope,
        said_before: contract_repository.Said | None,
        plan: plan_repository.PlanRow,
        held: Mapping[str, Sequence[str | None]],
        as_of: dt.date,
    ) -> str:
        """What barred the plan's vendor at its agency, as its reason says it once free: from
        the rules of 2026-12-08 on, each bar with whether it ended early (`bars.ended_bars`);
        before them, the plan's reason as it stood (a rebuild says it so again, since a plan's
        reason is replayed), which gave a lifted sanction's announced end as its own."""
        if said_before is not None and judged_by_fifth_rules(
            await recorded_time(conn, event, self.clock)
        ):
            categories = held.get(plan.plan_id) or [None]
            ended = bars.ended_bars(said_before.reasons, plan.agency, categories, as_of)
            if ended is not None:
                return ended
        return plan.reason

    async def certificate_submitted(self, conn: Connection, event: EventEnvelope) -> None:
        p = cast(CertificateSubmitted, event.payload)
        check = _CERTIFICATE_CHECKS.get(p.kind)
        if check is None:
            return
        for plan in await plan_repository.plans_of(conn, event.vendor_id):
            ticked = await plan_repository.set_check(
                conn, plan.plan_id, p.contract_id, check, passed=True
            )
            if ticked:
                await plan_repository.changed(
                    conn,
                    plan.plan_id,
                    f"{p.contract_id}: {p.kind.value.replace('_', ' ')} certificate "
                    f"{p.certificate_id} received",
                )
