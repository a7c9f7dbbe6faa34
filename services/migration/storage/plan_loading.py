"""Plans' items as domain values, with what the registry says of their replacements, and
what it has recorded to bar each plan's own vendor from them before they end; for any number
of plans in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from services.events.migration import MigrationItemStatus
from services.migration.domain import bars
from services.migration.domain.items import ItemState
from services.migration.storage import contract_repository, plan_repository
from services.migration.storage.plan_repository import PlanRow
from services.platform.postgres.database import Connection


async def load_items_of(conn: Connection, plans: list[PlanRow]) -> dict[str, dict[str, ItemState]]:
    """Plan id → its items by contract id (two queries however many plans)."""
    rows = await plan_repository.items_of_plans(conn, [p.plan_id for p in plans])
    replacements = sorted({r["replacement_vendor_id"] for r in rows if r["replacement_vendor_id"]})
    said = await contract_repository.said_of(conn, replacements)
    replaced = sorted({r["contract_id"] for r in rows if r["replacement_vendor_id"] in said})
    category = await contract_repository.categories(conn, replaced) if replaced else {}
    agency = {p.plan_id: p.agency for p in plans}
    found: dict[str, dict[str, ItemState]] = defaultdict(dict)
    for row in rows:
        replacement = row["replacement_vendor_id"]
        problem, until = None, None
        if replacement in said:
            now, later = said[replacement].reasons, said[replacement].upcoming
            where, what = agency[row["plan_id"]], category.get(row["contract_id"])
            problem = bars.replacement_problem(now, later, where, what)
            until = bars.replacement_bar(replacement, now, later, where, what)
        found[row["plan_id"]][row["contract_id"]] = plan_repository.item_state(row, problem, until)
    return {p.plan_id: found.get(p.plan_id, {}) for p in plans}


async def load_items(conn: Connection, plan: PlanRow) -> dict[str, ItemState]:
    return (await load_items_of(conn, [plan]))[plan.plan_id]


async def barred_later_of(
    conn: Connection, plans: list[PlanRow], items: Mapping[str, Mapping[str, ItemState]]
) -> dict[str, bars.BarToCome | None]:
    """Plan id → what a sanction already recorded will bar its vendor from at its agency
    before the contracts still to move (items not done) end (`bars.barred_later`; None:
    nothing), from the registry's last announcement of the vendor as migration keeps it, so
    that a rebuild reads it alike (two queries however many plans)."""
    said = await contract_repository.said_of(conn, sorted({p.vendor_id for p in plans}))
    to_move = {
        p.plan_id: [
            i for i in items[p.plan_id].values() if i.status is not MigrationItemStatus.DONE
        ]
        for p in plans
        if p.vendor_id in said and said[p.vendor_id].upcoming
    }
    contract_ids = sorted({i.contract_id for left in to_move.values() for i in left})
    category = await contract_repository.categories(conn, contract_ids) if contract_ids else {}
    return {
        p.plan_id: bars.barred_later(
            said[p.vendor_id].upcoming,
            p.agency,
            [(i.contract_id, category.get(i.contract_id), i.ends_on) for i in to_move[p.plan_id]],
        )
        if p.plan_id in to_move
        else None
        for p in plans
    }


async def barred_later_of_plan(conn: Connection, plan: PlanRow) -> str | None:
    """`barred_later_of` one plan, in words: what a plan's withdrawal is judged by, in
    migration's handler and in the API's receipt alike."""
    later = (await barred_later_of(conn, [plan], await load_items_of(conn, [plan])))[plan.plan_id]
    return later.said if later is not None else None
