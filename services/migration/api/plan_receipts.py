"""What a system owner's mutation on a plan checks before it records its event, refusing in
the receipt what migration would refuse after (graphql_mutations.py): the plan and item are
the caller's agencies' (without them, nothing more is checked), a replacement may bid, a day
stated as past has come, a deadline has not passed, a milestone or a replacement's choice is
not dated before its plan, a change changes something (each found beside the others), the
plan is not withdrawn; a plan asked for by hand names a vendor on record and has something to
migrate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from services.events.catalog import Problem
from services.migration.domain import owner_days
from services.migration.domain.items import ItemState, done_already
from services.migration.domain.withdrawal import changes_refusal
from services.migration.plan_opening import by_hand_refusals, nothing_to_migrate, to_move
from services.migration.setup import CONSUMER_NAME
from services.migration.storage import contract_repository, plan_repository
from services.migration.storage.contracts_to_come import work_on_its_way
from services.migration.storage.plan_loading import load_items
from services.migration.storage.plan_repository import PlanRow
from services.platform.eventstore.later_rules import future_day
from services.platform.graphql.context import Info
from services.platform.graphql.receipts import (
    ArgumentOf,
    Draft,
    EventReceipt,
    FieldProblem,
    as_named,
    record,
)
from services.registry.domain.eligibility import Reason
from services.registry.reads.queries import RegistryQueryError, bid_eligibility_many
from services.registry.storage.named_records import vendor_known


async def _plan(info: Info, plan_id: str) -> PlanRow:
    """The plan, if it is one of the principal's agencies'. Another agency's plan is refused
    as a plan unknown is, in the same words: that it exists, and whose it is, are not the
    principal's to learn (`migrationPlan` and `node` answer null for it alike)."""
    async with info.context.pool.acquire() as conn:
        plan = await plan_repository.plan(conn, plan_id)
    principal = info.context.principal
    agencies = principal.agencies if principal is not None else ()
    if plan is None or (agencies and plan.agency not in agencies):
        where = " of your agencies" if agencies else ""
        raise FieldProblem("planId", f"no plan {plan_id!r}{where}", "unknown_plan")
    return plan


async def _items(info: Info, plan: PlanRow, contract_id: str) -> Mapping[str, ItemState]:
    """The plan's items by contract id, `contract_id` among them."""
    async with info.context.pool.acquire() as conn:
        items = await load_items(conn, plan)
    if contract_id not in items:
        raise FieldProblem(
            "contractId", f"{contract_id!r} is not an item of plan {plan.plan_id}", "unknown_item"
        )
    return items


def _unknown_vendor(vendor_id: str) -> Problem:
    """A vendor the registry does not know, named at the mutation's `vendorId`."""
    return Problem("vendorId", f"unknown vendor {vendor_id!r}", "unknown_vendor")


async def ineligibility(
    info: Info, vendor_id: str, agency: str, contract_id: str
) -> Problem | None:
    """The registry's own answer for today, at the plan's agency for the contract's category,
    so a suspended replacement is refused at once, and so is one a sanction already recorded
    will bar there later: the contract moved to it would need moving again."""
    async with info.context.pool.acquire() as conn:
        category = await contract_repository.category_of(conn, contract_id)
        try:
            [answer] = await bid_eligibility_many(
                conn,
                [vendor_id],
                info.context.settings.clock.today(),
                agency=agency,
                category=category,
            )
        except RegistryQueryError:
            return _unknown_vendor(vendor_id)
    if not answer.eligible:
        again = (
            f"; eligible again on {answer.eligible_again_on}" if answer.eligible_again_on else ""
        )
        return Problem(
            "vendorId",
            f"{vendor_id} is not eligible at {agency}: {_reasons(answer.reasons)}{again}",
            "not_eligible",
        )
    if answer.upcoming:
        return Problem(
            "vendorId",
            f"{vendor_id} will be barred at {agency} by a sanction already recorded:"
            f" {_reasons(answer.upcoming)}",
            "barred_later",
        )
    return None


async def plan_request_refusals(
    info: Info, vendor_id: str, plan_id: str, agency: str
) -> list[Problem]:
    """What migration would refuse a plan asked for by hand for, as it judges it
    (`plan_opening.open_by_hand`): the plan there or its id taken first, else nothing of the
    vendor's running at the agency today. The latter only once no contract event that may
    bring the vendor work there waits in the log for migration (an award sent a moment
    before, without waitForProcessing): refused then, it would refuse what migration accepts.
    Before all, a vendor the registry does not know (registered, or its registration in the
    log), refused as every mutation naming one is: "no running contract" said of a vendor
    that does not exist sent the owner looking for its contracts."""
    async with info.context.pool.acquire() as conn:
        if not await vendor_known(conn, vendor_id):
            return [_unknown_vendor(vendor_id)]
        if refusals := await by_hand_refusals(conn, vendor_id, plan_id, agency):
            return refusals
        today = info.context.settings.clock.today()
        # One snapshot for both: migration applying an award between two reads would make it
        # neither running in the first nor waiting in the second.
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            if await to_move(conn, vendor_id, agency, today):
                return []
            if await work_on_its_way(conn, CONSUMER_NAME, vendor_id, agency):
                return []
    return [nothing_to_migrate(vendor_id, agency)]


def to_come(field: str, day: dt.date | None) -> Problem | None:
    """A day an owner states as past that has begun nowhere yet: refused in the receipt, as
    migration would refuse the event (owner_handlers), rather than accepted and dead-lettered."""
    if day is not None and (message := future_day(day, dt.datetime.now(dt.UTC))):
        return Problem(field, message, "in_the_future")
    return None


def deadline_gone(
    info: Info, field: str, deadline: dt.date | None, stored: dt.date | None
) -> Problem | None:
    """A deadline already past today (the registry's), at the argument it was given in; not
    the one `stored` given again (a client re-sending the settings it read)."""
    if deadline == stored:
        return None
    today = info.context.settings.clock.today()
    refusal = owner_days.deadline_passed(deadline, today)
    return None if refusal is None else Problem(field, refusal, "deadline_passed")


def before_opened(field: str, day: dt.date | None, plan: PlanRow) -> Problem | None:
    """A milestone or a replacement's choice dated before its plan was opened (None: a day
    left to default, today)."""
    refusal = owner_days.before_plan(day, plan.created_on) if day is not None else None
    return None if refusal is None else Problem(field, refusal, "before_plan")


def done(item: ItemState | None) -> Problem | None:
    """An owner's change of an item already cut over, refused as migration refuses it
    (`items.done_already`), at the item."""
    refusal = done_already(item) if item is not None else None
    return None if refusal is None else Problem("contractId", refusal, "item_done")


def unchanged(field: str, refusal: str | None) -> Problem | None:
    """A change that changes nothing of the item (`domain/no_change.py`), at its argument."""
    return None if refusal is None else Problem(field, refusal, "no_change")


def _reasons(reasons: Sequence[Reason]) -> str:
    # A sanction of an affiliate's bars the vendor through it: said as the vendor's own, the
    # officer looked for a sanction of the replacement's that is not there.
    return "; ".join(
        f"{r.kind.value.replace('_', ' ')} {r.sanction_id}"
        + (f" through {r.via_vendor_id}" if r.via_vendor_id else "")
        + f" by {r.authority}"
        f" from {r.starts_on}" + (f" until {r.ends_on}" if r.ends_on else " indefinitely")
        for r in reasons
    )


# What a plan mutation's check finds: a problem each, None for one that passed.
Found = Sequence[Problem | None]


async def record_on_plan(
    info: Info,
    event_type: str,
    plan_id: str,
    contract_id: str | None,
    build: Callable[[PlanRow], dict[str, Any]],
    wait: bool,
    check: Callable[[PlanRow, ItemState | None, Mapping[str, ItemState]], Awaitable[Found]]
    | None = None,
    *,
    key: str | None = None,
    argument: ArgumentOf = as_named,
    withdrawn_too: bool = False,
) -> EventReceipt:
    """An event about one plan (and item): both must exist and be the caller's agency's; the
    event travels under the plan's vendor. `check` is given the plan, the item and the
    plan's items (none for an event about the plan alone), and gives the problems it finds,
    each independent of the others (None for one that passed). `key`: the caller's
    idempotency key (`receipts.submit`); `argument`: which argument each payload field was
    given in (`receipts.Draft`). A withdrawn plan changes no more (`plan_withdrawn`, as
    migration refuses it), unless `withdrawn_too` (its withdrawal, whose check says it)."""

    async def checked() -> Draft:
        plan = await _plan(info, plan_id)
        if not withdrawn_too and (closed := changes_refusal(plan.plan_id, plan.withdrawn_at)):
            raise FieldProblem("planId", closed.message, closed.code)
        items = await _items(info, plan, contract_id) if contract_id is not None else {}
        item = items.get(contract_id) if contract_id is not None else None
        found = await check(plan, item, items) if check is not None else ()
        return Draft(plan.vendor_id, build(plan), found, argument)

    return await record(info, event_type, checked, wait=wait, key=key)
