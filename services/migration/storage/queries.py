"""Read side of migration: plans as the API shows them, pages of plans and of versions."""

from __future__ import annotations

from dataclasses import dataclass

from services.migration.domain.bars import BarToCome
from services.migration.domain.items import ItemState
from services.migration.domain.plan_status import PlanStatus
from services.migration.storage import plan_repository
from services.migration.storage.plan_loading import barred_later_of, load_items_of
from services.migration.storage.plan_repository import PlanRow, VersionRow
from services.platform.postgres.database import Connection


@dataclass(frozen=True)
class PlanView:
    plan: PlanRow
    items: dict[str, ItemState]  # as recorded now (the schedule may lag by a moment)
    latest: VersionRow | None  # the newest schedule; None until the planner has run
    # What a sanction already recorded will bar the vendor from here before its contracts
    # end (`bars.barred_later`); None: nothing recorded does.
    barred_later: BarToCome | None = None


async def plan_views(conn: Connection, plan_ids: list[str]) -> list[PlanView]:
    """The plans that exist of `plan_ids`, in that order: seven queries however many."""
    plans = await plan_repository.plans(conn, plan_ids)
    found = [plans[p] for p in plan_ids if p in plans]
    items = await load_items_of(conn, found)
    later = await barred_later_of(conn, found, items)
    latest = await plan_repository.latest_versions(conn, [p.plan_id for p in found])
    return [PlanView(p, items[p.plan_id], latest.get(p.plan_id), later[p.plan_id]) for p in found]


async def plan_view(conn: Connection, plan_id: str) -> PlanView | None:
    views = await plan_views(conn, [plan_id])
    return views[0] if views else None


# A plan's status in SQL, as `domain/plan_status.plan_status` derives it: withdrawn when its
# owner withdrew it, completed when it holds items and every one is done, else open.
_STATUS = """CASE
    WHEN p.withdrawn_at IS NOT NULL THEN 'withdrawn'
    WHEN EXISTS (SELECT 1 FROM migration_items i WHERE i.plan_id = p.plan_id)
         AND NOT EXISTS (SELECT 1 FROM migration_items i
                         WHERE i.plan_id = p.plan_id AND i.status <> 'done') THEN 'completed'
    ELSE 'open' END"""


async def plan_page(
    conn: Connection,
    vendor_id: str | None,
    agencies: list[str] | None,
    status: PlanStatus | None,
    after: str | None,
    limit: int,
) -> tuple[list[str], int]:
    """Plan ids in id order after the cursor (at most `limit`), and how many match; only
    plans of `agencies`, and of `status`, when given."""
    where = f"""($1::text IS NULL OR p.vendor_id = $1)
                AND ($2::text[] IS NULL OR p.agency = ANY($2))
                AND ($3::text IS NULL OR {_STATUS} = $3)"""
    given = (vendor_id, agencies, status.value if status is not None else None)
    rows = await conn.fetch(
        f"""SELECT p.plan_id FROM migration_plans p
            WHERE {where} AND ($4::text IS NULL OR p.plan_id > $4)
            ORDER BY p.plan_id LIMIT $5""",
        *given,
        after,
        limit,
    )
    total: int = await conn.fetchval(
        f"SELECT count(*) FROM migration_plans p WHERE {where}", *given
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


async def versions_named(
    conn: Connection, keys: list[tuple[str, int]]
) -> dict[tuple[str, int], VersionRow]:
    """These versions of plans' schedules, by (plan id, version)."""
    rows = await conn.fetch(
        """SELECT v.plan_id, v.version, v.created_at, v.causes, v.snapshot::text AS snapshot,
                  v.changes
           FROM unnest($1::text[], $2::integer[]) AS k(plan_id, version)
           JOIN migration_plan_versions v USING (plan_id, version)""",
        [plan for plan, _ in keys],
        [version for _, version in keys],
    )
    return {(r["plan_id"], r["version"]): plan_repository.version_of(r) for r in rows}
