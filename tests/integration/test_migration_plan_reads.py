"""A plan as the API reads it (`queries.plan_views`: `migrationPlan`, `migrationPlans`, a
vendor's plans) on a plan re-planned thousands of times: its newest schedule read alone."""

from __future__ import annotations

import asyncpg
import pytest

from services.migration.storage import queries
from tests.support.migration_db import PLAN, the_case
from tests.support.rows_read import rows_read

pytestmark = pytest.mark.postgres

REPLANNED = 2_000


async def test_a_plan_reads_its_newest_version_alone(pool: asyncpg.Pool) -> None:
    """Each plan's newest version was found by reading every version of the plan, snapshots
    and all, and sorting them (a plan of 2,001 versions: 305 ms): now one row per plan."""
    first = await the_case(pool)
    # Its history as the planner would leave it after as many passes (copies of the first).
    await pool.execute(
        """INSERT INTO migration_plan_versions
               (plan_id, version, revision, created_at, causes, solver_status, snapshot, changes)
           SELECT plan_id, version + n, revision, created_at, causes, solver_status, snapshot,
                  changes
           FROM migration_plan_versions, generate_series(1, $1) AS n""",
        REPLANNED,
    )
    await pool.execute("ANALYZE migration_plan_versions")
    async with pool.acquire() as conn:
        views, read = await rows_read(
            conn, "migration_plan_versions", lambda: queries.plan_views(conn, [PLAN, "no-plan"])
        )
    (view,) = views
    assert view.latest is not None
    assert view.latest.version == first.version + REPLANNED
    assert view.latest.snapshot.schedule == first.snapshot.schedule
    assert read == 1
