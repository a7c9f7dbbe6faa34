"""Plans' items as domain values, with what the registry says of their replacements; for
any number of plans in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict

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
        bar = said.get(row["replacement_vendor_id"])
        problem = (
            bars.replacement_problem(
                bar.reasons, bar.upcoming, agency[row["plan_id"]], category.get(row["contract_id"])
            )
            if bar
            else None
        )
        found[row["plan_id"]][row["contract_id"]] = plan_repository.item_state(row, problem)
    return {p.plan_id: found.get(p.plan_id, {}) for p in plans}


async def load_items(conn: Connection, plan: PlanRow) -> dict[str, ItemState]:
    return (await load_items_of(conn, [plan]))[plan.plan_id]
