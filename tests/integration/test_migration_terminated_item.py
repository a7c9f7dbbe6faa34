"""A contract terminated as migrated, on the plan's item (real PostgreSQL, the API in
process; an exploratory tester's finding): the item is done from the day the replacement took
over, and its contract's last day is the termination's, not the term it was awarded for."""

from __future__ import annotations

import asyncpg
import pytest

from tests.support.case_migration import VENDOR
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.migration_db import PLAN, apply, replan, the_case

pytestmark = pytest.mark.postgres

ITEMS = """query ($plan: ID!) { migrationPlan(planId: $plan) {
  items { contractId endsOn naturalPhaseLabel status statusOn } } }"""


async def test_an_item_migrated_by_termination_ends_on_the_termination(
    pool: asyncpg.Pool,
) -> None:
    await the_case(pool)  # c10 (データ基盤) runs until 2024-04-30
    terminated = envelope(
        "contract.terminated",
        {"contract_id": "c10", "terminated_on": "2022-09-30", "reason": "migrated"},
        VENDOR,
    )
    await apply(pool, terminated)
    await replan(pool)  # the plan changed: planned again, as the planner does
    items = (await execute(pool, ITEMS, plan=PLAN))["migrationPlan"]["items"]
    (c10,) = [i for i in items if i["contractId"] == "c10"]
    # Its end still said the term awarded (2024-04-30), and its natural phase that end's.
    assert c10 == {
        "contractId": "c10",
        "endsOn": "2022-09-30",
        "naturalPhaseLabel": "2022-10",
        "status": "DONE",
        # The day the replacement took over, as a milestone's DONE says it.
        "statusOn": "2022-10-01",
    }
