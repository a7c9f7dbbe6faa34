"""Opening plans: one per agency for a barred vendor's running contracts, kept complete as
contracts come to light."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence

from services.events.catalog import EMITTED_BY, Problem, new_event
from services.events.emitted import EligibilityReasonRef, barring_at
from services.events.migration import MigrationPlanCreated, MigrationTrigger
from services.migration.domain import bars
from services.migration.domain.items import ItemState
from services.migration.domain.plan_settings import default_settings
from services.migration.storage import contract_repository, plan_repository, plan_withdrawal
from services.migration.storage.contract_repository import ContractRow
from services.migration.storage.plan_repository import PlanRow
from services.platform.consuming.outbox import Outbox
from services.platform.eventlog.base import Writer
from services.platform.postgres.database import Connection

SOURCE = EMITTED_BY[MigrationPlanCreated.event_type]
OUTBOX = Outbox("migration_outbox", Writer.MIGRATION)
_PLAN_IDS = uuid.UUID("6b1f4a52-0c59-4a7e-9a41-57a1d3c0f0de")


def automatic_plan_id(vendor_id: str, agency: str, withdrawn: int = 0) -> str:
    """The same plan id on every replay of the log (events are applied once, but a rebuilt
    projection must reach the same ids). `withdrawn`: how many of the vendor's plans at the
    agency were withdrawn before (a vendor's events, withdrawals among them, are applied in
    its partition's order, live and replayed); the first plan's id is as it always was."""
    parts = (vendor_id, agency) + ((str(withdrawn),) if withdrawn else ())
    key = "\x00".join(parts)
    return f"plan-{uuid.uuid5(_PLAN_IDS, key).hex[:20]}"


def item_of(contract: ContractRow) -> ItemState:
    return ItemState(
        contract_id=contract.contract_id,
        title=contract.title,
        criticality=contract.criticality,
        ends_on=contract.ends_on,
        starts_on=contract.starts_on,
        via_subcontract_id=contract.via_subcontract_id,
    )


async def open_plan(
    conn: Connection,
    plan: PlanRow,
    contracts: Sequence[ContractRow],
    now: dt.datetime,
    announce: bool,
) -> None:
    """Records a new plan with its items and announces it (migration.plan_created, dated
    `now`) unless told not to (a rebuild: it was announced when it happened)."""
    await plan_repository.insert_plan(conn, plan)
    for contract in contracts:
        await plan_repository.insert_item(conn, plan.plan_id, item_of(contract))
    created = MigrationPlanCreated(
        plan_id=plan.plan_id,
        agency=plan.agency,
        trigger=plan.trigger,
        contract_ids=[c.contract_id for c in contracts],
    )
    if announce:
        await OUTBOX.put(
            conn, [new_event(created, vendor_id=plan.vendor_id, source=SOURCE, occurred_at=now)]
        )


async def cover(
    conn: Connection,
    vendor_id: str,
    agency: str | None,
    cause: str,
    now: dt.datetime,
    announce: bool,
) -> dict[str, list[str | None]]:
    """When the vendor is barred, every agency where it still has running contracts that a
    sanction bars it from (at that agency, of their category) gets a plan holding all of them
    (only `agency`, when given): its plan there not withdrawn, or a new one (after a plan
    withdrawn there, a bar or a contract barred opens a new plan, which the contracts of the
    withdrawn one that still run and had not cut over join); contracts new to a plan re-plan
    it. A plan opened by hand is the vendor's plan there too, and gains contracts by the same
    rule: one awarded while a bar is only recorded to come joins it when the bar begins (the
    registry announces it then), not before; the hand-opened plan itself held what ran on its
    day (`to_move`). Returns, per plan that existed, the categories of the contracts it
    gained."""
    gained: dict[str, list[str | None]] = {}
    barred = await contract_repository.bars_on(conn, vendor_id)
    if barred is None:
        return gained
    since, reasons = barred
    moved = await plan_withdrawal.cut_over_in_withdrawn(conn, vendor_id)
    by_agency: dict[str, list[ContractRow]] = defaultdict(list)
    for contract in await contract_repository.active_contracts(conn, vendor_id, agency, since):
        if contract.contract_id not in moved and barring_at(
            reasons, contract.agency, contract.category
        ):
            by_agency[contract.agency].append(contract)
    for where, contracts in sorted(by_agency.items()):
        plan = await plan_repository.plan_for(conn, vendor_id, where)
        if plan is None:
            stated = bars.plan_reason(reasons, where, [c.category for c in contracts])
            assert stated is not None  # each of these contracts is barred
            why, trigger = stated
            await open_plan(
                conn,
                PlanRow(
                    plan_id=automatic_plan_id(
                        vendor_id,
                        where,
                        await plan_withdrawal.withdrawn_count(conn, vendor_id, where),
                    ),
                    vendor_id=vendor_id,
                    agency=where,
                    trigger=trigger,
                    reason=why,
                    created_on=since,
                    settings=default_settings(since),
                    vendor_eligible=False,
                    revision=1,
                    planned_revision=0,
                    causes=(f"plan opened: {vendor_id} {why}",),
                ),
                contracts,
                now,
                announce,
            )
            continue
        added = [
            c
            for c in contracts
            if await plan_repository.insert_item(conn, plan.plan_id, item_of(c))
        ]
        if added:
            await plan_repository.changed(conn, plan.plan_id, cause)
            gained[plan.plan_id] = [c.category for c in added]
    return gained


async def restate(
    conn: Connection,
    reasons: Sequence[EligibilityReasonRef],
    plans: Sequence[PlanRow],
    categories: Mapping[str, Sequence[str | None]],
) -> None:
    """After the registry announced that `reasons` bar the vendor: each of its automatic
    `plans`, holding contracts of `categories` (per plan id), says what bars it there now (a
    suspension extended, its scope amended, a debarment after it), its reason and trigger.
    Not a new version: what the plan schedules does not depend on them, and the announcement
    is in the log. A plan opened by hand keeps its owner's words, and one whose vendor is
    free again there says so (`bars.free_again`, set by `handlers.eligibility_changed` as
    the plan turns eligible)."""
    for plan in plans:
        if plan.trigger is MigrationTrigger.MANUAL:
            continue
        stated = bars.plan_reason(reasons, plan.agency, categories.get(plan.plan_id) or [None])
        if stated is not None and stated != (plan.reason, plan.trigger):
            await plan_repository.set_reason(conn, plan.plan_id, *stated)


async def by_hand_refusals(
    conn: Connection, vendor_id: str, plan_id: str, agency: str
) -> list[Problem]:
    """Why a plan asked for by hand cannot be opened whatever runs at the agency, each problem
    on its own (the API's receipt lists them as migration would refuse the event): the vendor
    has a plan there already, or the plan id is taken (by another plan: the same request sent
    again is told the first). Fields as the event names them."""
    refusals = []
    existing = await plan_repository.plan_for(conn, vendor_id, agency)
    if existing is not None:
        message = f"{vendor_id} already has plan {existing.plan_id} at {agency}"
        refusals.append(Problem("agency", message, "plan_exists"))
    taken = existing is None or existing.plan_id != plan_id
    if taken and await plan_repository.plan(conn, plan_id) is not None:
        refusals.append(Problem("plan_id", f"{plan_id} is already taken", "plan_id_taken"))
    return refusals


async def to_move(conn: Connection, vendor_id: str, agency: str, day: dt.date) -> list[ContractRow]:
    """The vendor's contracts running at the agency on `day` that a plan opened by hand would
    hold: not those that cut over in a plan of its withdrawn before (they moved already)."""
    moved = await plan_withdrawal.cut_over_in_withdrawn(conn, vendor_id)
    running = await contract_repository.active_contracts(conn, vendor_id, agency, day)
    return [c for c in running if c.contract_id not in moved]


def nothing_to_migrate(vendor_id: str, agency: str) -> Problem:
    """Why a plan asked for by hand is not opened when nothing of the vendor's runs there."""
    message = f"{vendor_id} has no running contract at {agency} to migrate"
    return Problem("agency", message, "nothing_to_migrate")


async def open_by_hand(
    conn: Connection,
    vendor_id: str,
    plan_id: str,
    agency: str,
    reason: str,
    day: dt.date,
    now: dt.datetime,
    announce: bool,
) -> list[Problem]:
    """A plan a system owner asks for; returns why it cannot be opened (nothing: opened). That
    nothing of the vendor's runs at the agency on `day` is judged again here: the receipt
    says it only once no contract event of the vendor waits to be applied
    (`plan_receipts.plan_request_refusals`)."""
    if refusals := await by_hand_refusals(conn, vendor_id, plan_id, agency):
        return refusals
    contracts = await to_move(conn, vendor_id, agency, day)
    if not contracts:
        return [nothing_to_migrate(vendor_id, agency)]
    barred = await contract_repository.bars_on(conn, vendor_id)
    plan = PlanRow(
        plan_id=plan_id,
        vendor_id=vendor_id,
        agency=agency,
        trigger=MigrationTrigger.MANUAL,
        reason=reason,
        created_on=day,
        settings=default_settings(day),
        # Whether the vendor may bid for these contracts: a sanction elsewhere, or of other
        # categories, leaves it so.
        vendor_eligible=barred is None
        or not any(barring_at(barred[1], agency, c.category) for c in contracts),
        revision=1,
        planned_revision=0,
        causes=(f"plan opened by hand: {reason}",),
    )
    await open_plan(conn, plan, contracts, now, announce)
    return []
