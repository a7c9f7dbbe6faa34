"""An owner's change that changes nothing (real PostgreSQL; an exploratory tester's finding):
the same replacement chosen again, a check ticked that is ticked, a milestone recorded again,
an item's properties or a plan's settings given as they are. Each was a new event, and a
replacement chosen again a new version identical to the last ("no change to the schedule")."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.migration.setup import consumer
from services.platform.eventstore.later_rules import FOURTH_RULES_FROM
from tests.support import case_b, registry_db
from tests.support.case_migration import VENDOR
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.migration_db import PLAN, apply, item_event, replan, the_case
from tests.support.registry import TOKYO, FixedClock

pytestmark = pytest.mark.postgres

CHOOSE = """mutation ($plan: ID!, $on: Date) {
  chooseReplacementVendor(planId: $plan, contractId: "c01", vendorId: "vendor-c", chosenOn: $on)
  { accepted errors { field message code } } }"""
TICK = """mutation ($plan: ID!, $passed: Boolean!) {
  updateMigrationChecklist(planId: $plan, contractId: "c01", check: PARALLEL_RUN_PASSED,
    passed: $passed) { accepted errors { field message code } } }"""
MILESTONE = """mutation ($plan: ID!, $on: Date) {
  recordMigrationMilestone(planId: $plan, contractId: "c01", status: IN_PROGRESS, on: $on)
  { accepted errors { field message code } } }"""


async def _receipt(pool: asyncpg.Pool, query: str, **variables: Any) -> dict[str, Any]:
    (receipt,) = (await execute(pool, query, plan=PLAN, **variables)).values()
    assert isinstance(receipt, dict)
    return receipt


def _nothing(field: str, message: str) -> dict[str, Any]:
    return {
        "accepted": False,
        "errors": [{"field": field, "message": message, "code": "no_change"}],
    }


async def test_a_change_that_changes_nothing_is_refused(pool: asyncpg.Pool) -> None:
    await the_case(pool)
    await registry_db.apply(pool, case_b.another_vendor("vendor-c"))  # eligible, by the registry
    await apply(
        pool,
        item_event(
            "migration.replacement_chosen",
            "c01",
            replacement_vendor_id="vendor-c",
            chosen_on="2022-07-10",
        ),
        item_event("migration.checklist_updated", "c01", check="parallel_run_passed", passed=True),
        item_event("migration.item_status_changed", "c01", status="in_progress", on="2022-07-11"),
    )
    await replan(pool)
    chosen = "vendor-c is c01's replacement already, chosen on 2022-07-10"
    ticked = "c01's check 'parallel run passed' is passed already"
    started = "c01 is in_progress since 2022-07-11 already"
    assert await _receipt(pool, CHOOSE, on="2022-07-10") == _nothing("vendorId", chosen)
    assert await _receipt(pool, TICK, passed=True) == _nothing("check", ticked)
    assert await _receipt(pool, MILESTONE, on="2022-07-11") == _nothing("status", started)
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 0
    # Migration's own verdict on them from any producer, from the rules of 2026-12-07.
    owners_now = consumer(FixedClock(TOKYO, FOURTH_RULES_FROM))
    for event, said in [
        (
            item_event(
                "migration.replacement_chosen",
                "c01",
                replacement_vendor_id="vendor-c",
                chosen_on="2022-07-10",
            ),
            f"payload.replacement_vendor_id: {chosen}",
        ),
        (
            item_event(
                "migration.checklist_updated", "c01", check="parallel_run_passed", passed=True
            ),
            f"payload.check: {ticked}",
        ),
        (
            item_event(
                "migration.item_status_changed", "c01", status="in_progress", on="2022-07-11"
            ),
            f"payload.status: {started}",
        ),
    ]:
        assert await registry_db.rejection(pool, event, owners_now) == said
    # Nothing to plan again: no version to come.
    pending = "SELECT revision <> planned_revision FROM migration_plans WHERE plan_id = $1"
    assert await pool.fetchval(pending, PLAN) is False
    # What changes something is taken: another day, the check withdrawn, another milestone.
    assert (await _receipt(pool, CHOOSE, on="2022-07-12"))["accepted"]
    assert (await _receipt(pool, TICK, passed=False))["accepted"]
    assert (await _receipt(pool, MILESTONE, on="2022-07-12"))["accepted"]


BLOCK = """mutation ($plan: ID!, $on: Date, $note: String) {
  recordMigrationMilestone(planId: $plan, contractId: "c01", status: BLOCKED, on: $on,
    note: $note) { accepted errors { field message code } } }"""


async def test_a_milestone_again_is_judged_by_its_note_as_recorded(pool: asyncpg.Pool) -> None:
    """The note the event holds is stripped (NonEmptyText): the receipt judges that one, as
    migration does, so that it does not accept what migration refuses (a reviewer's finding)."""
    await the_case(pool)
    await apply(
        pool,
        item_event(
            "migration.item_status_changed",
            "c01",
            status="blocked",
            on="2022-07-11",
            note="vendor late",
        ),
    )
    await replan(pool)
    blocked = "c01 is blocked since 2022-07-11 already"
    again = await _receipt(pool, BLOCK, on="2022-07-11", note="vendor late ")
    assert again == _nothing("status", blocked)
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 0
    owners_now = consumer(FixedClock(TOKYO, FOURTH_RULES_FROM))
    event = item_event(
        "migration.item_status_changed",
        "c01",
        status="blocked",
        on="2022-07-11",
        note="vendor late ",
    )
    assert await registry_db.rejection(pool, event, owners_now) == f"payload.status: {blocked}"
    # Another note is a change; a blank one is the event's own problem, said once, by field.
    assert (await _receipt(pool, BLOCK, on="2022-07-11", note=" vendor later"))["accepted"]
    blank = await _receipt(pool, BLOCK, on="2022-07-12", note="  ")
    assert not blank["accepted"]
    assert [e["field"] for e in blank["errors"]] == ["note"]


ITEM = """mutation ($plan: ID!, $item: MigrationItemInput!) {
  configureMigrationItem(planId: $plan, contractId: "c05", item: $item)
  { accepted errors { field message code } } }"""
SETTINGS = """mutation ($plan: ID!, $settings: MigrationPlanSettingsInput!) {
  configureMigrationPlan(planId: $plan, settings: $settings)
  { accepted errors { field message code } } }"""


async def test_properties_and_settings_given_as_they_are_change_nothing(
    pool: asyncpg.Pool,
) -> None:
    """Only the fields given are compared, as migration applies them: a null given keeps a
    property (or clears a date the item does not have), so it changes nothing either."""
    await the_case(pool)  # c05 moves after c04; capacity 2, early cut-overs forbidden
    depends = "c05's depends_on is so already"
    kept = "c05's deadline_on, depends_on, lead_time_months are so already"
    settings = f"plan {PLAN}'s capacity, early_cutover are so already"
    assert await _receipt(pool, ITEM, item={"dependsOn": ["c04"]}) == _nothing("item", depends)
    given = {"dependsOn": ["c04"], "leadTimeMonths": None, "deadlineOn": None}
    assert await _receipt(pool, ITEM, item=given) == _nothing("item", kept)
    same = {"capacity": 2, "earlyCutover": "FORBID"}
    assert await _receipt(pool, SETTINGS, settings=same) == _nothing("settings", settings)
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 0
    # Migration's own verdict, from the rules of 2026-12-07; before them, they were applied.
    item = item_event("migration.item_configured", "c05", depends_on=["c04"])
    plan = envelope("migration.plan_configured", {"plan_id": PLAN, "capacity": 2}, VENDOR)
    owners_now = consumer(FixedClock(TOKYO, FOURTH_RULES_FROM))
    assert await registry_db.rejection(pool, item, owners_now) == f"payload: {depends}"
    capacity = f"plan {PLAN}'s capacity is so already"
    assert await registry_db.rejection(pool, plan, owners_now) == f"payload: {capacity}"
    await apply(
        pool,
        item_event("migration.item_configured", "c05", depends_on=["c04"]),
        envelope("migration.plan_configured", {"plan_id": PLAN, "capacity": 2}, VENDOR),
    )
    # What changes something is taken: the dependency dropped, another capacity.
    assert (await _receipt(pool, ITEM, item={"dependsOn": []}))["accepted"]
    assert (await _receipt(pool, SETTINGS, settings={"capacity": 3}))["accepted"]
