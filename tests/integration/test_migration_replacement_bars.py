"""A replacement barred later, on a real PostgreSQL: the registry announces the bars a
sanction already recorded will bring (`vendor.eligibility_changed.upcoming`), and migration
flags a replacement under one at the plan's agency as `chooseReplacementVendor` refuses it
(`barred_later`): its check fails, its item is open again and re-planned, and its blocker
says when it may bid there again through every bar that follows without a gap (a tester
found it shown "chosen and eligible", with no new version, until the sanction began)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import pytest

from services.events.migration import MigrationItemStatus
from services.migration.domain.items import REPLACEMENT_READY, blockers, checklist
from services.migration.storage import plan_repository
from services.migration.storage.plan_loading import load_items
from tests.support import case_b
from tests.support.case_migration import AGENCY
from tests.support.event_examples import envelope
from tests.support.migration_db import (
    PLAN,
    apply,
    c01_in_progress_with_vendor_c,
    replan,
    the_case,
)
from tests.support.registry import TOKYO, FixedClock, consumer
from tests.support.registry_db import apply as registry_apply
from tests.support.registry_db import outbox

pytestmark = pytest.mark.postgres

# vendor-c, c01's replacement, suspended at the plan's agency over c01's cut-over (2022-10).
LATER = {
    "sanction_id": "city-2022-950",
    "kind": "bid_suspension",
    "authority": "City procurement office",
    "starts_on": "2022-09-01",
    "ends_on": "2023-02-28",
    "agencies": [AGENCY],
}


def announced(as_of: str, *, upcoming: list[dict[str, Any]], **barred: Any) -> dict[str, Any]:
    """The registry's announcement of vendor-c: eligible unless `barred` gives its reasons
    and eligible-again day."""
    payload = {
        "as_of": as_of,
        "eligible": not barred,
        "reasons": barred.get("reasons", []),
        "eligible_again_on": barred.get("eligible_again_on"),
        "upcoming": upcoming,
    }
    return envelope("vendor.eligibility_changed", payload, "vendor-c")


async def c01(pool: asyncpg.Pool) -> Any:
    async with pool.acquire() as conn:
        plan = await plan_repository.plan(conn, PLAN)
        assert plan is not None
        return (await load_items(conn, plan))["c01"]


async def causes(pool: asyncpg.Pool) -> list[str]:
    return list(
        await pool.fetchval("SELECT causes FROM migration_plans WHERE plan_id = $1", PLAN) or []
    )


async def test_a_replacement_a_sanction_recorded_later_bars_is_flagged_and_replanned(
    pool: asyncpg.Pool,
) -> None:
    await the_case(pool)
    await c01_in_progress_with_vendor_c(pool)
    ready = await replan(pool)
    assert (await c01(pool)).replacement_ready

    await apply(pool, announced("2022-07-10", upcoming=[LATER]))
    item = await c01(pool)
    assert item.replacement_problem == (
        "to come: bid suspension city-2022-950 by City procurement office from 2022-09-01"
        " until 2023-02-28; eligible here again on 2023-03-01"
    )
    assert not checklist(item)[REPLACEMENT_READY]
    assert blockers(item)[0] == f"replacement vendor-c not eligible: {item.replacement_problem}"
    assert item.status is MigrationItemStatus.PLANNED  # open again: another must be found
    assert (await causes(pool))[-1] == (
        f"c01's replacement vendor-c to be barred as of 2022-07-10: {item.replacement_problem}"
    )
    version = await replan(pool)
    assert version.version == ready.version + 1
    assert "c01's replacement vendor-c to be barred" in " ".join(version.causes)

    # Said again (the next announcement of vendor-c changes nothing here): no new cause.
    before = await causes(pool)
    elsewhere = {**LATER, "sanction_id": "city-2022-951", "agencies": ["水道局"]}
    await apply(pool, announced("2022-07-11", upcoming=[LATER, elsewhere]))
    assert await causes(pool) == before


async def test_a_short_bar_today_and_a_longer_one_recorded_later_say_when_it_is_free(
    pool: asyncpg.Pool,
) -> None:
    """Barred today until 2022-08-04, and from 2022-07-20 by the later sanction: free at the
    agency only on 2023-03-01, not after the first bar's end."""
    await the_case(pool)
    await c01_in_progress_with_vendor_c(pool)
    short = {**LATER, "sanction_id": "city-2022-949", "starts_on": "2022-07-05"}
    short["ends_on"] = "2022-08-04"
    longer = {**LATER, "starts_on": "2022-07-20"}
    await apply(
        pool,
        announced("2022-07-10", upcoming=[longer], reasons=[short], eligible_again_on="2023-03-01"),
    )
    problem = (await c01(pool)).replacement_problem
    assert problem is not None and problem.endswith("eligible here again on 2023-03-01")
    assert "until 2022-08-04; to come: bid suspension city-2022-950" in problem


async def test_the_registry_announces_a_sanction_recorded_to_begin_later(
    pool: asyncpg.Pool,
) -> None:
    """Recorded on 2022-07-01 to start on the 9th: eligible today, and said to be barred
    later; the days until it starts announce nothing more, and its start says it bars."""
    registry = consumer(FixedClock(TOKYO, dt.datetime(2022, 7, 1, 9, 0, tzinfo=TOKYO)))
    await registry_apply(pool, case_b.registered(), case_b.suspended(), consumer=registry)
    (event,) = await outbox(pool)
    payload = event["payload"]
    assert (payload["as_of"], payload["eligible"], payload["reasons"]) == ("2022-07-01", True, [])
    (later,) = payload["upcoming"]
    assert (later["sanction_id"], later["starts_on"]) == ("city-2022-001", case_b.SUSPENSION_START)
