"""Read side of migration: plans as the API shows them, pages of plans and of versions."""

from __future__ import annotations

from dataclasses import dataclass

from services.migration import plan_repository
from services.migration.items import ItemState
from services.migration.plan_loading import load_items
from services.migration.plan_repository import PlanRow, VersionRow
from services.platform.database import Connection


@dataclass(frozen=True)
class PlanView:
    plan: PlanRow
    items: dict[str, ItemState]  # as recorded now (the schedule may lag by a moment)
    latest: VersionRow | None  # the newest schedule; None until the planner has run


async def plan_view(conn: Connection, plan_id: str) -> PlanView | None:
    plan = await plan_repository.plan(conn, plan_id)
    if plan is None:
        return None
    return PlanView(
        plan, await load_items(conn, plan), await plan_repository.latest_version(conn, plan_id)
    )


async def plan_page(
    conn: Connection, vendor_id: str | None, agency: str | None, after: str | None, limit: int
) -> tuple[list[str], int]:
    """Plan ids in id order after the cursor (at most `limit`), and how many match."""
    where = "($1::text IS NULL OR vendor_id = $1) AND ($2::text IS NULL OR agency = $2)"
    rows = await conn.fetch(
        f"""SELECT plan_id FROM migration_plans
            WHERE {where} AND ($3::text IS NULL OR plan_id > $3)
            ORDER BY plan_id LIMIT $4""",
        vendor_id,
        agency,
        after,
        limit,
    )
    total: int = await conn.fetchval(
        f"SELECT count(*) FROM migration_plans WHERE {where}", vendor_id, agency
    )
    return [r["plan_id"] for r in rows], total


async def version_page(
    conn: Connection, plan_id: str, before: int | None, limit: int
) -> tuple[list[VersionRow], int]:
    """Versions newest first, older than version `before` when given."""
    rows = await conn.fetch(
        """SELECT plan_id, version, created_at, causes, snapshot::text AS snapshot, changes
           FROM migration_plan_versions
           WHERE plan_id = $1 AND ($2::integer IS NULL OR version < $2)
           ORDER BY version DESC LIMIT $3""",
        plan_id,
        before,
        limit,
    )
    total: int = await conn.fetchval(
        "SELECT count(*) FROM migration_plan_versions WHERE plan_id = $1", plan_id
    )
    return [plan_repository.version_of(r) for r in rows], total
