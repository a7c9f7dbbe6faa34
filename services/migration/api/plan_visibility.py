"""Which plans a caller may see: a system owner its own agencies', every other role all."""

from __future__ import annotations

from services.migration.storage import plan_repository, queries
from services.migration.storage.queries import PlanView
from services.platform.graphql.context import Info
from services.platform.postgres.database import Connection
from services.platform.security.access import sees_agency


async def plans_in_view(info: Info, conn: Connection, plan_ids: list[str]) -> set[str]:
    """Those of these plans that exist and the caller may see (a system owner: its own
    agencies')."""
    plans = await plan_repository.plans(conn, sorted(set(plan_ids)))
    principal = info.context.principal
    return {p for p, plan in plans.items() if sees_agency(principal, plan.agency)}


async def views_in_view(info: Info, conn: Connection, plan_ids: list[str]) -> list[PlanView]:
    """The plans of these that the caller may see, as `migrationPlan` shows them."""
    views = await queries.plan_views(conn, sorted(set(plan_ids)))
    return [v for v in views if sees_agency(info.context.principal, v.plan.agency)]
