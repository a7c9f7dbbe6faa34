"""A contract terminated as migrated, on the plan's item (real PostgreSQL, the API in
process; an exploratory tester's finding): the item is done from the day the replacement took
over, and its contract's last day is the termination's, not the term it was awarded for."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from services.migration.setup import consumer
from services.platform.eventstore import later_rules
from services.platform.eventstore.later_rules import FOURTH_RULES_FROM
from tests.support import registry_db
from tests.support.case_migration import VENDOR
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.migration_db import PLAN, apply, item_event, replan, the_case
from tests.support.registry import TOKYO, FixedClock
from tests.support.rule_instants import FAR, PAST

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


TICK = """mutation ($plan: ID!, $passed: Boolean!) {
  updateMigrationChecklist(planId: $plan, contractId: "c10", check: DATA_MIGRATION_REHEARSED,
    passed: $passed) { accepted errors { field message code } } }"""
# c10 was done by its contract's termination, with no replacement chosen.
DONE_ALREADY = (
    "c10 is done already: cut over when its contract was terminated as migrated,"
    " no replacement recorded"
)


async def _migrated_c10(pool: asyncpg.Pool) -> None:
    await the_case(pool)
    terminated = envelope(
        "contract.terminated",
        {"contract_id": "c10", "terminated_on": "2022-09-30", "reason": "migrated"},
        VENDOR,
    )
    await apply(pool, terminated)
    await replan(pool)


async def test_a_done_items_checks_are_ticked_no_more(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once done, an item's checks are history, as its replacement, properties and
    milestones are (`item_done`): a tick was accepted, and made a new version of a plan whose
    item had cut over (a tester's finding; only a withdrawal was refused). The receipt
    refuses it whenever asked; migration from the rules of 2026-12-08 on, so that a tick
    recorded before keeps the verdict live processing gave it in a rebuild. Said without
    "cut over to None": no replacement was chosen."""
    await _migrated_c10(pool)
    refused = {
        "accepted": False,
        "errors": [{"field": "contractId", "message": DONE_ALREADY, "code": "item_done"}],
    }
    for passed in (True, False):
        answer = await execute(pool, TICK, plan=PLAN, passed=passed)
        assert answer["updateMigrationChecklist"] == refused
    ticked = item_event(
        "migration.checklist_updated", "c10", check="data_migration_rehearsed", passed=True
    )
    owners = consumer(FixedClock(TOKYO, FOURTH_RULES_FROM))  # the log records it then
    monkeypatch.setattr(later_rules, "FIFTH_RULES_FROM", PAST)
    refused_by = await registry_db.rejection(pool, ticked, owners)
    assert refused_by == f"payload.contract_id: {DONE_ALREADY}"
    monkeypatch.setattr(later_rules, "FIFTH_RULES_FROM", FAR)
    await registry_db.apply(pool, {**ticked, "event_id": str(uuid.uuid4())}, consumer=owners)
    checks = "SELECT checks FROM migration_items WHERE contract_id = 'c10'"
    assert await pool.fetchval(checks) == ["data_migration_rehearsed"]
