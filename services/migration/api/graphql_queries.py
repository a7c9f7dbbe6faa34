"""The migration service's root fields: plans (a page, one) and a plan's live progress."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from services.migration.api.graphql_enums import MigrationPlanStatus
from services.migration.api.graphql_progress import PROGRESS_EVENTS, MigrationProgress, progress_of
from services.migration.api.graphql_types import (
    MAX_PAGE,
    First100,
    MigrationPlan,
    MigrationPlanConnection,
    MigrationPlanEdge,
)
from services.migration.storage import plan_repository, queries
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import After
from services.platform.graphql.errors import InvalidArgument
from services.platform.graphql.nodes import misplaced_global_id, one_of
from services.platform.graphql.pagination import PageInfo, cursor_key, key_cursor, page_size
from services.platform.graphql.scope_names import scope_argument
from services.platform.security.access import agencies_in_view, sees_agency

# What plans' cursors name (`pagination.key_cursor`).
PLAN_KEYS = "plan_id"


@strawberry.type
class MigrationQuery:
    @strawberry.field(description="Plans, by vendor, agency and/or status, in id order.")
    async def migration_plans(
        self,
        info: Info,
        vendor_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only plans for this vendor; null: every vendor."),
        ] = None,
        agency: Annotated[
            str | None,
            strawberry.argument(description="Only plans of this agency; null: every agency."),
        ] = None,
        status: Annotated[
            MigrationPlanStatus | None,  # type: ignore[valid-type]
            strawberry.argument(
                description="Only plans of this status; null (the default): every status,"
                " withdrawn plans included, as before there were statuses."
            ),
        ] = None,
        first: Annotated[int, First100] = 20,
        after: After = None,
    ) -> MigrationPlanConnection:
        limit = page_size(first, MAX_PAGE)
        agency = scope_argument("agency", agency)
        agencies = [agency] if agency is not None else None
        in_view = agencies_in_view(info.context.principal)
        if in_view is not None:
            # A system owner sees its own agencies' plans only.
            agencies = [a for a in (agencies or in_view) if a in in_view]
        async with info.context.pool.acquire() as conn:
            ids, total = await queries.plan_page(
                conn,
                str(vendor_id) if vendor_id else None,
                agencies,
                status,
                cursor_key(PLAN_KEYS, after),
                limit + 1,
            )
            views = await queries.plan_views(conn, ids[:limit])
        edges = [
            MigrationPlanEdge(
                cursor=key_cursor(PLAN_KEYS, v.plan.plan_id), node=MigrationPlan(view=v)
            )
            for v in views
        ]
        return MigrationPlanConnection(
            edges=edges,
            page_info=PageInfo.of([e.cursor for e in edges], len(ids) > limit, after),
            total_count=total,
        )

    @strawberry.field(
        description="One plan with its phases, items, blockers and solver report; null when"
        " there is none (or it is another agency's, for a system owner)."
    )
    async def migration_plan(
        self,
        info: Info,
        plan_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="The plan's own id (`MigrationPlan.planId`). Required, unless the"
                " deprecated `id` is given."
            ),
        ] = None,
        id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="The plan's own id, as `planId` (not its global id: `node(id:)`"
                " takes that).",
                deprecation_reason="give `planId` instead: `MigrationPlan.id` is a global id now.",
            ),
        ] = None,
    ) -> MigrationPlan | None:
        wanted, by_old_id = one_of("planId", plan_id, "id", id)
        async with info.context.pool.acquire() as conn:
            view = await queries.plan_view(conn, wanted)
        if view is None and by_old_id and (hint := misplaced_global_id("id", wanted, "planId")):
            raise hint
        if view is None or not sees_agency(info.context.principal, view.plan.agency):
            return None
        return MigrationPlan(view=view)


@strawberry.type
class MigrationSubscription:
    @strawberry.subscription(
        description="A plan's progress as it happens: new schedule versions (with what changed"
        " and why) and items' milestones, checks and replacements. A plan there is not (or,"
        " for a system owner, another agency's) is refused at once, not followed."
    )
    async def migration_progress(
        self,
        info: Info,
        plan_id: Annotated[strawberry.ID, strawberry.argument(description="The plan to follow.")],
    ) -> AsyncGenerator[MigrationProgress, None]:
        # Checked before the stream is returned, for every role, so that a refusal is the
        # field's error (its path and location) at once, not a stream that waits for a plan
        # nobody opened. A system owner follows only its own agencies' plans.
        async with info.context.pool.acquire() as conn:
            plan = await plan_repository.plan(conn, str(plan_id))
        if plan is None or not sees_agency(info.context.principal, plan.agency):
            theirs = " of your agencies" if agencies_in_view(info.context.principal) else ""
            raise InvalidArgument(f"planId: no plan {plan_id!r}{theirs}")
        return _progress(info, str(plan_id))


async def _progress(info: Info, plan_id: str) -> AsyncGenerator[MigrationProgress, None]:
    broadcaster = info.context.broadcaster
    async with broadcaster.subscribe(PROGRESS_EVENTS) as queue:
        while True:
            progress = broadcaster.shaped(await queue.get(), progress_of)
            if progress.plan_id == plan_id:
                yield progress
