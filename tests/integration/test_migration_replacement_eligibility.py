"""Replacement vendors' eligibility on a real PostgreSQL: a replacement that is not eligible
refused with the reason, one suspended after it was chosen reopening its item and re-planning,
one barred at another agency changing nothing, and one a recorded sanction will bar (its own
or an affiliate's) refused saying which and from when."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from services.migration.planning.export_csv import plan_csv, read_plan_csv
from services.migration.storage import plan_repository
from services.platform.settings import Settings
from tests.support import case_b, case_migration, registry_db
from tests.support.event_examples import envelope
from tests.support.migration_db import (
    PLAN,
    SUSPENDED_ON,
    apply,
    c01_in_progress_with_vendor_c,
    choose_for_c01,
    item_event,
    refusal,
    replan,
    the_case,
)

pytestmark = pytest.mark.postgres


async def test_a_replacement_that_is_not_eligible_is_refused_with_the_reason(
    pool: asyncpg.Pool,
) -> None:
    await the_case(pool)
    await apply(pool, case_migration.eligibility_lost("vendor-x", SUSPENDED_ON, "city-2022-777"))
    chosen = item_event(
        "migration.replacement_chosen",
        "c01",
        replacement_vendor_id="vendor-x",
        chosen_on="2022-07-09",
    )
    reason = await refusal(pool, chosen)
    assert "vendor-x is not eligible" in reason and "city-2022-777" in reason


async def test_suspending_a_chosen_replacement_reopens_the_item_and_replans(
    pool: asyncpg.Pool,
) -> None:
    await the_case(pool)
    await apply(pool, item_event("migration.item_configured", "c01", lead_time_months=4))
    await c01_in_progress_with_vendor_c(pool)
    before = await replan(pool)
    c01 = {a.contract_id: a for a in before.snapshot.schedule.assignments}["c01"]
    assert c01.phase == c01.natural_phase  # ready in time: chosen long enough ago
    # The version names who takes c01 over, and so does its CSV.
    assert before.snapshot.replacements == {"c01": "vendor-c"}
    csv_rows = {row["contract_id"]: row for row in read_plan_csv(plan_csv(before.snapshot))}
    assert csv_rows["c01"]["replacement_vendor_id"] == "vendor-c"
    assert csv_rows["c02"]["replacement_vendor_id"] == ""

    await apply(pool, case_migration.eligibility_lost("vendor-c", SUSPENDED_ON, "city-2022-900"))
    after = await replan(pool)
    moved = {a.contract_id: a for a in after.snapshot.schedule.assignments}["c01"]
    # Not cut over to vendor-c while it is suspended (18 months from 2022-07-09): its bar,
    # not the lead time started again from today, decides the phase.
    assert moved.phase > c01.phase
    assert moved.reasons == (
        "replacement vendor-c barred here until 2024-01-08: not before 2024-01",
    )
    assert after.snapshot.statuses["c01"] == "planned"
    assert any("vendor-c" in b for b in after.snapshot.blockers["c01"])
    change = next(line for line in after.changes if line.startswith("c01"))
    assert "vendor-c" in change and "no longer eligible" in change


async def test_a_replacement_barred_at_another_agency_changes_nothing_here(
    pool: asyncpg.Pool,
) -> None:
    """The chosen replacement is suspended by another agency only: this plan's item keeps its
    replacement and status, and no version says the replacement is no longer eligible."""
    await the_case(pool)
    await c01_in_progress_with_vendor_c(pool)
    await replan(pool)
    elsewhere = case_migration.eligibility_lost("vendor-c", SUSPENDED_ON, "water-2022-901")
    elsewhere["payload"]["reasons"][0]["agencies"] = ["Water Bureau"]
    await apply(pool, elsewhere)
    revision = "SELECT revision, causes FROM migration_plans WHERE plan_id = $1"
    before = await pool.fetchrow(revision, PLAN)
    assert before is not None and not any("vendor-c" in c for c in before["causes"] or [])
    async with pool.acquire() as conn:
        (item,) = [i for i in await plan_repository.items(conn, PLAN) if i["contract_id"] == "c01"]
    assert item["status"] == "in_progress"


async def test_a_replacement_a_recorded_sanction_will_bar_is_refused_saying_from_when(
    pool: asyncpg.Pool,
) -> None:
    """Eligible today, but a suspension already recorded starts next month: the contracts moved
    to it would have to move again. The receipt says which sanction, and from when."""
    await the_case(pool)
    today = Settings(database_url="unused").clock.today()  # the API's today
    starts = today + dt.timedelta(days=30)
    later = case_b.suspended(
        "vendor-y",
        "city-2027-010",
        starts_on=str(starts),
        decided_on=str(starts - dt.timedelta(days=1)),
    )
    await registry_db.apply(pool, case_b.registered("vendor-y"), later)
    answer = await choose_for_c01(pool, "vendor-y")
    assert not answer["accepted"]
    (error,) = answer["errors"]
    assert (error["field"], error["code"]) == ("vendorId", "barred_later")
    assert "city-2027-010" in error["message"] and f"from {starts}" in error["message"]
    stored = "SELECT count(*) FROM event_store WHERE event_type = 'migration.replacement_chosen'"
    assert await pool.fetchval(stored) == 0


async def test_a_replacement_barred_later_through_an_affiliate_is_told_so(
    pool: asyncpg.Pool,
) -> None:
    """The refusal named the parent's sanction as if it were the replacement's own."""
    await the_case(pool)
    starts = Settings(database_url="unused").clock.today() + dt.timedelta(days=30)
    parent = case_b.suspended(
        "vendor-p",
        "city-2027-011",
        covers_affiliates=True,
        starts_on=str(starts),
        decided_on=str(starts - dt.timedelta(days=1)),
    )
    owned = envelope(
        "vendor.affiliation_changed",
        {
            "related_vendor_id": "vendor-p",
            "relation": "parent",
            "change": "added",
            "effective_on": "2020-04-01",
        },
        "vendor-y",
    )
    await registry_db.apply(
        pool, case_b.another_vendor("vendor-p"), case_b.another_vendor("vendor-y"), owned, parent
    )
    (error,) = (await choose_for_c01(pool, "vendor-y"))["errors"]
    assert error["code"] == "barred_later"
    assert "bid suspension city-2027-011 through vendor-p by " in error["message"]
