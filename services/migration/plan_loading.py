"""A plan's items as domain values, with what the registry says of their replacements."""

from __future__ import annotations

from services.migration import contract_repository, plan_repository
from services.migration.items import ItemState
from services.migration.plan_repository import PlanRow
from services.platform.database import Connection


async def load_items(conn: Connection, plan: PlanRow) -> dict[str, ItemState]:
    rows = await plan_repository.items(conn, plan.plan_id)
    replacements = {r["replacement_vendor_id"] for r in rows if r["replacement_vendor_id"]}
    problems = {
        vendor_id: await contract_repository.bar(conn, vendor_id, plan.agency)
        for vendor_id in sorted(replacements)
    }
    return {
        row["contract_id"]: plan_repository.item_state(
            row, problems.get(row["replacement_vendor_id"])
        )
        for row in rows
    }


async def load_item(conn: Connection, plan: PlanRow, contract_id: str) -> ItemState | None:
    return (await load_items(conn, plan)).get(contract_id)
