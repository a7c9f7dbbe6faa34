"""The migration service and a sanction's procurement categories, on a real PostgreSQL: a plan
holds only the contracts a sanction bars the vendor from, a replacement is judged for the
contract's category (by the migration service and through the API), and a rebuild that makes
a plan otherwise than its latest version saw it (rules changed since) plans it again."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from services.migration import rebuild
from services.migration.storage import plan_repository
from services.platform.settings import Settings
from tests.support import case_b, case_migration, registry_db
from tests.support.case_migration import CONTRACTS, VENDOR
from tests.support.migration_db import (
    PLAN,
    START,
    SUSPENDED_ON,
    apply,
    c01_in_progress_with_vendor_c,
    choose_for_c01,
    item_event,
    refusal,
    the_case,
)

pytestmark = pytest.mark.postgres


async def test_a_suspension_from_one_category_moves_only_that_categorys_contracts(
    pool: asyncpg.Pool,
) -> None:
    """Suspended from construction work only, the vendor keeps its IT contracts: the plan holds
    the construction contract alone and says why; a later suspension from every category
    brings the IT contracts in."""
    await apply(pool, *case_migration.contracts(START))
    works = case_migration.awarded(START, CONTRACTS[0])
    works["payload"] |= {"contract_id": "c-works", "category": "Construction"}
    await apply(pool, works)
    construction_only = case_migration.eligibility_lost(VENDOR, SUSPENDED_ON)
    construction_only["payload"]["reasons"][0]["categories"] = ["construction"]
    await apply(pool, construction_only)
    async with pool.acquire() as conn:
        plan = await plan_repository.plan(conn, PLAN)
        items = await plan_repository.items(conn, PLAN)
    assert plan is not None and "categories: construction" in plan.reason
    assert [r["contract_id"] for r in items] == ["c-works"] and not plan.vendor_eligible

    # Construction's suspension over, one from cleaning work only: free to bid for the plan's
    # contracts again, though not for every category there.
    cleaning_only = case_migration.eligibility_lost(VENDOR, SUSPENDED_ON, "city-2022-003")
    cleaning_only["payload"]["reasons"][0]["categories"] = ["Cleaning"]
    await apply(pool, cleaning_only)
    async with pool.acquire() as conn:
        plan = await plan_repository.plan(conn, PLAN)
    assert plan is not None and plan.vendor_eligible
    assert plan.causes[-1] == f"{VENDOR} eligible again as of {SUSPENDED_ON}"

    everything = case_migration.eligibility_lost(VENDOR, SUSPENDED_ON, "city-2022-002")
    everything["payload"]["reasons"] += construction_only["payload"]["reasons"]
    await apply(pool, everything)
    async with pool.acquire() as conn:
        items = await plan_repository.items(conn, PLAN)
    assert sorted(r["contract_id"] for r in items) == sorted(
        ["c-works", *(c.contract_id for c in CONTRACTS)]
    )


async def test_a_replacement_barred_from_other_categories_may_take_the_contract_over(
    pool: asyncpg.Pool,
) -> None:
    """vendor-c is suspended from construction work only: it may take over c01 (information
    systems) and keep c01, and that suspension says nothing to this plan; suspended from
    every category, c01 is open again and vendor-c is refused."""
    await the_case(pool)
    await c01_in_progress_with_vendor_c(pool)
    construction_only = case_migration.eligibility_lost("vendor-c", SUSPENDED_ON, "city-2022-901")
    construction_only["payload"]["reasons"][0]["categories"] = ["construction"]
    await apply(pool, construction_only)
    causes = await pool.fetchval("SELECT causes FROM migration_plans WHERE plan_id = $1", PLAN)
    assert not any("vendor-c no longer eligible" in c for c in causes or [])
    async with pool.acquire() as conn:
        (c01,) = [i for i in await plan_repository.items(conn, PLAN) if i["contract_id"] == "c01"]
    assert c01["status"] == "in_progress"
    chosen = item_event(
        "migration.replacement_chosen",
        "c02",
        replacement_vendor_id="vendor-c",
        chosen_on="2022-07-10",
    )
    await apply(pool, chosen)  # accepted: construction's suspension says nothing of c02

    everything = case_migration.eligibility_lost("vendor-c", SUSPENDED_ON, "city-2022-902")
    everything["payload"]["reasons"] += construction_only["payload"]["reasons"]
    await apply(pool, everything)
    async with pool.acquire() as conn:
        (c01,) = [i for i in await plan_repository.items(conn, PLAN) if i["contract_id"] == "c01"]
    assert c01["status"] == "planned"  # open again: another replacement must be found
    chosen = item_event(
        "migration.replacement_chosen",
        "c02",
        replacement_vendor_id="vendor-c",
        chosen_on="2022-07-10",
    )
    assert "vendor-c is not eligible" in await refusal(pool, chosen)


async def test_a_replacement_suspended_from_other_categories_is_accepted_through_the_api(
    pool: asyncpg.Pool,
) -> None:
    """vendor-y is suspended, now and for months, from construction work only: the registry
    lets it bid for c01's information systems, and so does `chooseReplacementVendor`."""
    await the_case(pool)
    today = Settings(database_url="unused").clock.today()  # the API's today
    works_only = case_b.suspended(
        "vendor-y",
        "city-2027-011",
        starts_on=str(today - dt.timedelta(days=1)),
        decided_on=str(today - dt.timedelta(days=2)),
        categories=["Construction"],
    )
    await registry_db.apply(pool, case_b.registered("vendor-y"), works_only)
    answer = await choose_for_c01(pool, "vendor-y")
    assert answer["accepted"], answer["errors"]


async def test_a_plan_rebuilt_otherwise_than_its_latest_version_saw_it_is_planned_again(
    pool: asyncpg.Pool,
) -> None:
    """After a rebuild, a plan is planned up to its latest kept version; but when the replay
    made it otherwise than that version saw it (rules changed since: the log says less of
    it), the version schedules what the plan no longer holds, so the plan is due again, every
    cause kept: other contracts at the version's revision (a plan opened automatically holds
    all of them from its first revision), or fewer revisions than the version explained."""
    await the_case(pool)
    plan = "SELECT revision, planned_revision, causes FROM migration_plans WHERE plan_id = $1"
    async with pool.acquire() as conn, conn.transaction():
        await rebuild.finish(conn)  # the replay as it was: planned up to the version
        same = await conn.fetchrow(plan, PLAN)
        assert same is not None and same["planned_revision"] == same["revision"]

        undone = conn.transaction()
        await undone.start()
        await conn.execute(
            "DELETE FROM migration_items WHERE plan_id = $1 AND contract_id <> 'c01'", PLAN
        )
        await rebuild.finish(conn)
        other = await conn.fetchrow(plan, PLAN)
        await undone.rollback()
        assert other is not None and other["planned_revision"] < other["revision"]
        assert other["causes"] == same["causes"]

        await conn.execute(
            "UPDATE migration_plan_versions SET revision = $2 WHERE plan_id = $1",
            PLAN,
            same["revision"] + 3,
        )
        await rebuild.finish(conn)
        fewer = await conn.fetchrow(plan, PLAN)
    assert fewer is not None and fewer["planned_revision"] < fewer["revision"]
    assert fewer["causes"] == same["causes"]
