"""A system owner's changes to a migration plan and its items on a real PostgreSQL, through
the API and as events: every problem named by the argument or field it was given in, dates in
the future refused, a receipt listing every problem and refusing what migration would refuse,
and capacity overrides set through the API read back in phase order."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import asyncpg
import pytest

from services.migration.setup import consumer
from services.migration.storage import plan_repository
from services.platform.settings import Settings
from tests.support import case_b, case_migration, registry_db
from tests.support.case_migration import AGENCY, VENDOR
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.migration_checks import operation
from tests.support.migration_db import PLAN, apply, item_event, refusal, the_case
from tests.support.registry import TOKYO, FixedClock

pytestmark = pytest.mark.postgres


async def test_each_problem_is_named_by_the_argument_it_was_given_in(pool: asyncpg.Pool) -> None:
    """The event's problems were named by the event's fields (`payload.phaseMonths`), which
    no argument of these mutations is: a form could not put them at its fields."""
    await the_case(pool)
    # The plan's vendor on record: a plan asked for by hand of one unknown is refused as such.
    await registry_db.apply(pool, case_b.another_vendor(VENDOR))
    for mutation, fields in [
        (
            f'configureMigrationPlan(planId: "{PLAN}", settings: {{phaseMonths: 0}})',
            ["settings.phaseMonths"],
        ),
        (f'configureMigrationPlan(planId: "{PLAN}", settings: {{}})', ["settings"]),
        (
            f'configureMigrationItem(planId: "{PLAN}", contractId: "c03", item: {{}})',
            ["item"],
        ),
        (
            f'createMigrationPlan(vendorId: "{VENDOR}", agency: "{AGENCY}", reason: "",'
            ' planId: "bad id")',
            ["agency", "planId", "reason"],  # its plan exists: told at `agency`
        ),
        (
            f'recordMigrationMilestone(planId: "{PLAN}", contractId: "c03", status: BLOCKED)',
            ["note"],
        ),
        (
            f'chooseReplacementVendor(planId: "{PLAN}", contractId: "c03", vendorId: "bad id")',
            ["vendorId", "vendorId"],  # no such vendor, and not an id at all
        ),
    ]:
        query = f"mutation {{ {mutation} {{ accepted errors {{ field }} }} }}"
        (receipt,) = (await execute(pool, query)).values()
        assert sorted(e["field"] for e in receipt["errors"]) == fields, mutation


async def test_owner_changes_that_cannot_apply_are_refused_with_the_field(
    pool: asyncpg.Pool,
) -> None:
    await the_case(pool)
    unknown = item_event("migration.item_configured", "c01", depends_on=["c99"])
    assert "payload.depends_on: not items of plan" in await refusal(pool, unknown)
    off_phase = {
        "plan_id": PLAN,
        "capacity_overrides": [{"phase_start": "2022-08-15", "capacity": 1}],
    }
    reason = await refusal(pool, envelope("migration.plan_configured", off_phase, VENDOR))
    assert "2022-08-15 is not the first day of a phase" in reason
    other_vendor = envelope(
        "migration.plan_configured", {"plan_id": PLAN, "capacity": 3}, "vendor-z"
    )
    assert f"no plan '{PLAN}' for vendor-z" in await refusal(pool, other_vendor)
    async with pool.acquire() as conn:
        plan = await plan_repository.plan(conn, PLAN)
    assert (
        plan is not None and plan.settings.capacity == 2 and plan.planned_revision == plan.revision
    )


async def test_a_choice_or_a_milestone_dated_in_the_future_is_refused(pool: asyncpg.Pool) -> None:
    """A replacement "chosen" years ahead would push its lead time, and the cut-over, there.
    Judged for events recorded from the later rules on; an older log as it was judged."""
    await the_case(pool)
    recorded = dt.datetime(2026, 12, 20, 10, 30, tzinfo=dt.UTC)  # 2026-12-21 only in UTC+14
    owners_now = consumer(FixedClock(TOKYO, recorded))
    chosen = item_event(
        "migration.replacement_chosen", "c01", replacement_vendor_id="vendor-c", chosen_on=""
    )
    ahead = {**chosen["payload"], "chosen_on": "2026-12-22"}
    reason = await registry_db.rejection(pool, {**chosen, "payload": ahead}, owners_now)
    assert reason == "payload.chosen_on: 2026-12-22 is in the future"
    done = item_event("migration.item_status_changed", "c02", status="in_progress", on="2030-04-01")
    reason = await registry_db.rejection(pool, done, owners_now)
    assert reason == "payload.on: 2030-04-01 is in the future"
    today = {**chosen["payload"], "chosen_on": "2026-12-21"}  # begun in UTC+14
    again = {**chosen, "event_id": str(uuid.uuid4()), "payload": today}
    await registry_db.apply(pool, again, consumer=owners_now)
    # Recorded before the rule, the same milestone was applied.
    await apply(pool, {**done, "event_id": str(uuid.uuid4())})
    # Through the API, refused in the receipt, nothing written.
    for mutation in (
        'chooseReplacementVendor(planId: $plan, contractId: "c03", vendorId: "vendor-c",'
        ' chosenOn: "2099-01-01")',
        'recordMigrationMilestone(planId: $plan, contractId: "c03", status: IN_PROGRESS,'
        ' on: "2099-01-01")',
    ):
        query = f"mutation ($plan: ID!) {{ {mutation} {{ accepted errors {{ field code }} }} }}"
        (receipt,) = (await execute(pool, query, plan=PLAN)).values()
        assert not receipt["accepted"]
        assert receipt["errors"][0]["code"] == "in_the_future"
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 0


async def test_a_receipt_lists_every_problem_of_an_owners_change(pool: asyncpg.Pool) -> None:
    """A form showed the first problem only: fixed, it was refused for the next."""
    await the_case(pool)
    today = Settings(database_url="unused").clock.today()  # the API's today
    decided, starts = (str(today - dt.timedelta(days=n)) for n in (2, 1))
    barred = case_b.suspended("vendor-x", "city-2022-777", decided_on=decided, starts_on=starts)
    await registry_db.apply(pool, case_b.registered("vendor-x"), barred)
    choose = (
        'chooseReplacementVendor(planId: $plan, contractId: "c01", vendorId: "vendor-x",'
        ' chosenOn: "2099-01-01")'
    )
    finish = (
        'recordMigrationMilestone(planId: $plan, contractId: "c02", status: DONE, on: "2099-01-01")'
    )
    for mutation, expected in [
        (
            choose,
            [("chosenOn", "in_the_future"), ("vendorId", "not_eligible")],
        ),
        (finish, [("on", "in_the_future"), ("status", "checklist_incomplete")]),
    ]:
        query = f"mutation ($plan: ID!) {{ {mutation} {{ accepted errors {{ field code }} }} }}"
        (receipt,) = (await execute(pool, query, plan=PLAN)).values()
        assert not receipt["accepted"]
        assert [(e["field"], e["code"]) for e in receipt["errors"]] == expected
    # A plan that is not there leaves nothing more to check: no follow-on errors.
    unknown = choose.replace("$plan", '"no-such-plan"')
    (receipt,) = (
        await execute(pool, f"mutation {{ {unknown} {{ errors {{ field code }} }} }}")
    ).values()
    assert receipt["errors"] == [{"field": "planId", "code": "unknown_plan"}]
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 0


async def test_what_migration_refuses_of_a_plan_or_item_change_the_receipt_refuses(
    pool: asyncpg.Pool,
) -> None:
    """Said "accepted", then dead-lettered by migration: a dependency on no item of the plan,
    a second plan for the same vendor and agency, a plan id already taken."""
    await the_case(pool)
    # The plan's vendor on record: a plan asked for by hand of one unknown is refused as such.
    await registry_db.apply(pool, case_b.another_vendor(VENDOR))
    await apply(pool, item_event("migration.item_configured", "c03", earliest_on="2099-05-01"))
    logged = await pool.fetchval("SELECT count(*) FROM event_store")
    # Days still to come: a deadline already past is a problem of its own (deadline_passed).
    depends = (
        f'configureMigrationItem(planId: "{PLAN}", contractId: "c03",'
        ' item: {dependsOn: ["c99", "c01"], deadlineOn: "2099-01-31"})'
    )
    again = (
        f'createMigrationPlan(vendorId: "{VENDOR}", agency: "{AGENCY}", reason: "second",'
        f' planId: "{PLAN}")'
    )
    for mutation, expected in [
        (
            depends,
            [
                ("item.dependsOn", "unknown_item", f"not items of plan {PLAN}: c99"),
                (
                    "item.deadlineOn",
                    "deadline_before_earliest",
                    "2099-01-31 is before the item's earliest date 2099-05-01",
                ),
            ],
        ),
        # The same request again: its plan is there (not also "its id is taken").
        (again, [("agency", "plan_exists", f"{VENDOR} already has plan {PLAN} at {AGENCY}")]),
        (
            again.replace(f'planId: "{PLAN}"', 'planId: "another"'),
            [("agency", "plan_exists", f"{VENDOR} already has plan {PLAN} at {AGENCY}")],
        ),
        (
            again.replace(f'agency: "{AGENCY}"', 'agency: "税務課"'),
            [("planId", "plan_id_taken", f"{PLAN} is already taken")],
        ),
    ]:
        query = f"mutation {{ {mutation} {{ accepted errors {{ field code message }} }} }}"
        (receipt,) = (await execute(pool, query)).values()
        assert not receipt["accepted"]
        assert [(e["field"], e["code"], e["message"]) for e in receipt["errors"]] == expected
    assert await pool.fetchval("SELECT count(*) FROM event_store") == logged


async def _configured_through_the_api(pool: asyncpg.Pool, **settings: Any) -> None:
    """`configureMigrationPlan`, then its event applied from the log as migration applies it."""
    receipt = (
        await execute(pool, operation("configure-migration-plan"), planId=PLAN, settings=settings)
    )["configureMigrationPlan"]
    assert receipt["accepted"], receipt
    logged = await pool.fetchval(
        "SELECT envelope::text FROM event_store WHERE event_id = $1::uuid", receipt["eventId"]
    )
    await apply(pool, json.loads(logged))


async def test_capacity_overrides_set_through_the_api_are_read_back_in_phase_order(
    pool: asyncpg.Pool,
) -> None:
    """A refusal naming a phase's capacity ("capacity of 2022-10: 2 cut-overs") is acted on
    knowing which phases have a capacity of their own: what was set is read back."""
    await the_case(pool)
    october = {"phaseStart": "2022-10-01", "capacity": 3}
    august = {"phaseStart": "2022-08-01", "capacity": 0}
    await _configured_through_the_api(pool, capacityOverrides=[october, august])
    plan = (await execute(pool, operation("migration-plan"), planId=PLAN))["migrationPlan"]
    assert plan["settings"]["capacityOverrides"] == [august, october]
    assert plan["settings"]["capacity"] == case_migration.CAPACITY  # the others' still
    await _configured_through_the_api(pool, capacityOverrides=[])  # replaced by none
    plan = (await execute(pool, operation("migration-plan"), planId=PLAN))["migrationPlan"]
    assert plan["settings"]["capacityOverrides"] == []
    # A day no phase starts on is refused in the receipt (it was accepted, then dead-lettered).
    off_phase = [{"phaseStart": "2022-08-15", "capacity": 1}]
    receipt = (
        await execute(
            pool,
            operation("configure-migration-plan"),
            planId=PLAN,
            settings={"capacityOverrides": off_phase},
        )
    )["configureMigrationPlan"]
    assert not receipt["accepted"]
    (error,) = receipt["errors"]
    assert (error["field"], error["code"]) == ("settings.capacityOverrides", "not_a_phase_start")
    assert error["message"].startswith("2022-08-15 is not the first day of a phase")
