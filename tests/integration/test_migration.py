"""The migration service on a real PostgreSQL: plans opened when a vendor is barred, the case
scheduled and checked by an independent verifier, re-planning with readable diffs,
replacement eligibility, the checklist rule, infeasible plans explained."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import asyncpg
import pytest

from services.migration import planner
from services.migration.domain.items import checklist
from services.migration.planner_queue import replan_due
from services.migration.planning.export_csv import plan_csv, read_plan_csv
from services.migration.planning.model import SolverStatus
from services.migration.setup import consumer
from services.migration.storage import plan_repository
from services.migration.storage.plan_loading import load_items
from services.platform.clock import Clock
from services.platform.postgres.database import Connection
from services.platform.settings import Settings
from tests.support import case_b, case_migration, registry_db
from tests.support.case_migration import AGENCY, CONTRACTS, FORCED, VENDOR
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.migration_checks import operation
from tests.support.migration_db import (
    CLOCK,
    PLAN,
    START,
    SUSPENDED_ON,
    apply,
    c01_in_progress_with_vendor_c,
    choose_for_c01,
    item_event,
    refusal,
    replan,
    the_case,
)
from tests.support.migration_verifier import violations
from tests.support.registry import TOKYO, FixedClock

pytestmark = pytest.mark.postgres


async def test_suspension_opens_a_plan_with_every_running_contract(pool: asyncpg.Pool) -> None:
    await apply(pool, *case_migration.contracts(START))
    ended = case_migration.awarded(START, CONTRACTS[0])
    ended["payload"] |= {"contract_id": "c-ended", "ends_on": "2022-06-30"}
    await apply(pool, ended)
    await apply(pool, case_migration.eligibility_lost(VENDOR, SUSPENDED_ON))
    async with pool.acquire() as conn:
        plan = await plan_repository.plan(conn, PLAN)
        items = await plan_repository.items(conn, PLAN)
    assert plan is not None and plan.trigger.value == "suspension"
    assert "city-2022-001" in plan.reason
    assert [r["contract_id"] for r in items] == [c.contract_id for c in CONTRACTS]
    announced = [
        json.loads(r["event"]) for r in await pool.fetch("SELECT event FROM migration_outbox")
    ]
    assert [e["event_type"] for e in announced] == ["migration.plan_created"]
    assert len(announced[0]["payload"]["contract_ids"]) == len(CONTRACTS)


async def test_an_ended_contract_extended_past_the_suspension_joins_the_plan_once(
    pool: asyncpg.Pool,
) -> None:
    """A contract that had ended before the suspension is extended after it: it runs with the
    barred vendor again and joins the plan. The same extension again changes nothing."""
    await the_case(pool)
    ended = case_migration.awarded(START, CONTRACTS[0])
    ended["payload"] |= {"contract_id": "c-ended", "ends_on": "2022-06-30"}
    await apply(pool, ended)
    extended = {"contract_id": "c-ended", "effective_on": "2022-08-01", "ends_on": "2023-12-31"}
    extension = envelope("contract.amended", extended | {"reason": "Extended."}, VENDOR)
    await apply(pool, extension)
    revision = "SELECT revision FROM migration_plans WHERE plan_id = $1"
    async with pool.acquire() as conn:
        items = await plan_repository.items(conn, PLAN)
    assert "c-ended" in [r["contract_id"] for r in items]
    joined = await pool.fetchval(revision, PLAN)
    again = envelope("contract.amended", extended | {"reason": "Restated."}, VENDOR)
    await apply(pool, again)
    assert await pool.fetchval(revision, PLAN) == joined


async def test_the_case_is_scheduled_at_natural_ends_unless_a_constraint_forces_otherwise(
    pool: asyncpg.Pool,
) -> None:
    version = await the_case(pool)
    snapshot = version.snapshot
    assert snapshot.schedule.status is SolverStatus.OPTIMAL
    assert violations(snapshot.problem, snapshot.schedule) == []
    for assignment in snapshot.schedule.assignments:
        if assignment.contract_id in FORCED:
            assert assignment.phase == FORCED[assignment.contract_id]
            assert assignment.reasons, f"{assignment.contract_id} moved without a reason"
        else:
            assert assignment.phase == assignment.natural_phase
            assert assignment.reasons == ()
    reasons = {a.contract_id: " ".join(a.reasons) for a in snapshot.schedule.assignments}
    assert "tax-filing season" in reasons["c04"]
    assert "c04" in reasons["c05"]
    assert "full" in reasons["c03"]


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
    assert moved.phase > c01.phase  # the lead time starts again from today
    assert any("lead time" in r for r in moved.reasons)
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


async def test_an_item_cannot_be_done_while_its_checklist_is_incomplete(
    pool: asyncpg.Pool,
) -> None:
    await the_case(pool)
    done = item_event("migration.item_status_changed", "c02", status="done", on="2022-10-01")
    reason = await refusal(pool, done)
    assert "checklist incomplete" in reason and "replacement vendor not chosen" in reason
    await _finish_c02(pool)
    version = await replan(pool)
    assert version.snapshot.statuses["c02"] == "done"
    assert version.snapshot.blockers["c02"] == ()
    # The version says which checks were ticked, in words a name ending in "passed" reads in.
    assert "c02: check 'parallel run passed' ticked" in version.causes


async def _finish_c02(pool: asyncpg.Pool) -> None:
    """c02 cut over to vendor-c on 2022-10-01, its checklist complete."""
    await _ready_c02(pool)
    done = item_event("migration.item_status_changed", "c02", status="done", on="2022-10-01")
    await apply(pool, done)


async def _ready_c02(pool: asyncpg.Pool) -> None:
    """c02's replacement chosen (vendor-c) and its checklist complete."""
    await apply(
        pool,
        item_event(
            "migration.replacement_chosen",
            "c02",
            replacement_vendor_id="vendor-c",
            chosen_on="2022-07-10",
        ),
        *[
            item_event("migration.checklist_updated", "c02", check=check, passed=True)
            for check in ("data_migration_rehearsed", "parallel_run_passed")
        ],
    )
    # The old vendor's certificates tick the last two checks themselves.
    await apply(
        pool,
        *[
            envelope(
                "certificate.submitted",
                {
                    "certificate_id": f"cert-{kind}",
                    "kind": kind,
                    "contract_id": "c02",
                    "submitted_on": "2022-09-30",
                    "issued_by": "vendor-b",
                },
                VENDOR,
            )
            for kind in ("data_erasure", "media_disposal")
        ],
    )


async def test_an_item_cut_over_is_changed_no_more(pool: asyncpg.Pool) -> None:
    """A done item's replacement chosen anew rewrote who took the contract over, a property
    configured or a second "done" made versions of nothing, and its receipts said "accepted"
    for milestones and withdrawn checks that migration then refused."""
    await the_case(pool)
    await _finish_c02(pool)
    # Judged by the rules of events recorded from 2026-12-04 on.
    owners_now = consumer(FixedClock(TOKYO, dt.datetime(2026, 12, 20, tzinfo=dt.UTC)))
    said = "payload.contract_id: c02 is done already: cut over to vendor-c"
    for event in (
        item_event(
            "migration.replacement_chosen",
            "c02",
            replacement_vendor_id="vendor-d",
            chosen_on="2022-10-02",
        ),
        item_event("migration.item_configured", "c02", lead_time_months=2),
        item_event("migration.item_status_changed", "c02", status="done", on="2022-10-02"),
    ):
        assert await registry_db.rejection(pool, event, owners_now) == said
    for mutation in (
        'chooseReplacementVendor(planId: $plan, contractId: "c02", vendorId: "vendor-d")',
        'configureMigrationItem(planId: $plan, contractId: "c02", item: {leadTimeMonths: 2})',
        'recordMigrationMilestone(planId: $plan, contractId: "c02", status: PLANNED)',
        'updateMigrationChecklist(planId: $plan, contractId: "c02",'
        " check: PARALLEL_RUN_PASSED, passed: false)",
    ):
        query = f"mutation ($plan: ID!) {{ {mutation} {{ accepted errors {{ field code }} }} }}"
        (receipt,) = (await execute(pool, query, plan=PLAN)).values()
        assert not receipt["accepted"], mutation
        assert receipt["errors"][0] == {"field": "contractId", "code": "item_done"}, mutation
    # A sanction on the replacement since is its own record's: no check c02 could still fail,
    # which no version said either.
    await apply(pool, case_migration.eligibility_lost("vendor-c", SUSPENDED_ON, "city-2022-900"))
    async with pool.acquire() as conn:
        plan = await plan_repository.plan(conn, PLAN)
        assert plan is not None
        c02 = (await load_items(conn, plan))["c02"]
    assert c02.replacement_problem is not None  # as migration's rules judge it
    assert c02.replacement_problem_now is None and all(checklist(c02).values())


async def test_a_cut_over_retried_under_its_key_once_applied_is_the_first(
    pool: asyncpg.Pool,
) -> None:
    """A system owner's "done" whose answer never came back, sent again under its idempotency
    key once migration applied the first: the event recorded, not a second "done" refused."""
    await the_case(pool)
    await _ready_c02(pool)
    query = """mutation ($plan: ID!, $key: String) {
      recordMigrationMilestone(planId: $plan, contractId: "c02", status: DONE, on: "2022-10-01",
        idempotencyKey: $key) { accepted eventId errors { field code } } }"""
    first = (await execute(pool, query, plan=PLAN, key="cutover-c02"))["recordMigrationMilestone"]
    stored = await pool.fetchval(
        "SELECT envelope::text FROM event_store WHERE event_id = $1", uuid.UUID(first["eventId"])
    )
    await apply(pool, json.loads(stored))
    again = (await execute(pool, query, plan=PLAN, key="cutover-c02"))["recordMigrationMilestone"]
    assert again == first and first["accepted"]
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 1
    # Without its key, the same request is a second "done", refused.
    unkeyed = (await execute(pool, query, plan=PLAN))["recordMigrationMilestone"]
    assert unkeyed["errors"] == [{"field": "contractId", "code": "item_done"}]


async def test_each_problem_is_named_by_the_argument_it_was_given_in(pool: asyncpg.Pool) -> None:
    """The event's problems were named by the event's fields (`payload.phaseMonths`), which
    no argument of these mutations is: a form could not put them at its fields."""
    await the_case(pool)
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


async def test_capacity_too_small_for_the_deadline_is_explained(pool: asyncpg.Pool) -> None:
    await the_case(pool)
    # c01, c02 and c03 all end in September; only two may cut over in October.
    await apply(
        pool,
        *[
            item_event("migration.item_configured", c, deadline_on="2022-10-31")
            for c in ("c01", "c02", "c03")
        ],
    )
    version = await replan(pool)
    schedule = version.snapshot.schedule
    assert schedule.status is SolverStatus.INFEASIBLE
    assert schedule.assignments == ()  # nothing is done
    text = " ".join(schedule.conflicts)
    assert "capacity" in text and "2022-10" in text, schedule.conflicts
    assert any(line.startswith("no schedule") for line in version.changes)


async def test_a_plan_without_a_schedule_keeps_the_cut_overs_done(pool: asyncpg.Pool) -> None:
    """A done item's phase is history (an exploratory tester's finding): once a deadline left
    the plan without a schedule, c02, cut over in 2022-10, had no phase at all."""
    await the_case(pool)
    await _finish_c02(pool)
    # c02 takes one of October's two cut-overs: c01 and c03 cannot both have the other.
    await apply(
        pool,
        *[
            item_event("migration.item_configured", c, deadline_on="2022-10-31")
            for c in ("c01", "c03")
        ],
    )
    version = await replan(pool)
    schedule = version.snapshot.schedule
    assert schedule.status is SolverStatus.INFEASIBLE
    assert [(a.contract_id, a.phase) for a in schedule.assignments] == [("c02", 3)]
    query = """query ($plan: ID!) { migrationPlan(planId: $plan) {
      items { contractId phaseLabel naturalPhaseLabel } phases { label items { contractId } } }
    }"""
    plan = (await execute(pool, query, plan=PLAN))["migrationPlan"]
    labels = {i["contractId"]: i["phaseLabel"] for i in plan["items"]}
    assert labels["c02"] == "2022-10" and labels["c01"] is None
    assert plan["phases"] == [{"label": "2022-10", "items": [{"contractId": "c02"}]}]
    rows = {r["contract_id"]: r for r in read_plan_csv(plan_csv(version.snapshot))}
    assert (rows["c02"]["phase"], rows["c01"]["phase"]) == ("2022-10", "")
    # Each item's natural phase is its contract's, schedule or not: as the CSV gives it.
    natural = {i["contractId"]: i["naturalPhaseLabel"] for i in plan["items"]}
    assert natural == {c: row["natural_phase"] for c, row in rows.items()}
    assert all(natural.values())
    # Bounds that cross (c01 due before its contract ends) are found without the solver.
    await apply(pool, item_event("migration.item_configured", "c01", deadline_on="2022-09-30"))
    schedule = (await replan(pool)).snapshot.schedule
    assert [(a.contract_id, a.phase) for a in schedule.assignments] == [("c02", 3)]


async def test_contracts_found_or_ended_change_the_plan_and_say_so(pool: asyncpg.Pool) -> None:
    await the_case(pool)
    found = case_migration.awarded(START, CONTRACTS[0])
    found["payload"] |= {"contract_id": "c11", "title": "新システム", "ends_on": "2023-12-31"}
    ended = envelope(
        "contract.terminated",
        {"contract_id": "c07", "terminated_on": "2022-08-31", "reason": "cancelled"},
        VENDOR,
    )
    await apply(pool, found, ended)
    version = await replan(pool)
    contracts = {a.contract_id for a in version.snapshot.schedule.assignments}
    assert "c11" in contracts and "c07" not in contracts
    assert any(line.startswith("c11") and "added" in line for line in version.changes)
    assert any(line.startswith("c07") and "removed" in line for line in version.changes)


async def test_the_sanction_ending_is_recorded_on_the_plan(pool: asyncpg.Pool) -> None:
    await the_case(pool)
    again = {"as_of": "2024-01-09", "eligible": True, "reasons": [], "eligible_again_on": None}
    await apply(pool, envelope("vendor.eligibility_changed", again, VENDOR))
    version = await replan(pool)
    async with pool.acquire() as conn:
        plan = await plan_repository.plan(conn, PLAN)
    assert plan is not None and plan.vendor_eligible
    assert "eligible again as of 2024-01-09" in " ".join(version.causes)


async def test_work_of_a_barred_subcontractor_is_planned_and_flagged(pool: asyncpg.Pool) -> None:
    prime = case_migration.awarded(START, CONTRACTS[0])
    prime["vendor_id"] = "vendor-a"
    subcontract = {"contract_id": "c01", "subcontract_id": "s-1"}
    await apply(
        pool,
        prime,
        envelope(
            "contract.subcontract_requested",
            {
                **subcontract,
                "subcontractor_vendor_id": VENDOR,
                "scope": "運用",
                "requested_on": "2022-01-10",
            },
            "vendor-a",
        ),
        envelope(
            "contract.subcontract_approved",
            {**subcontract, "approved_on": "2022-01-20"},
            "vendor-a",
        ),
        case_migration.eligibility_lost(VENDOR, SUSPENDED_ON),
    )
    async with pool.acquire() as conn:
        items = await plan_repository.items(conn, PLAN)
    assert [(r["contract_id"], r["via_subcontract_id"]) for r in items] == [("c01", "s-1")]
    assert (
        await pool.fetchval("SELECT count(*) FROM migration_plans WHERE vendor_id = 'vendor-a'")
        == 0
    )


async def test_a_contract_extended_past_its_subcontractors_bar_joins_the_subcontractors_plan(
    pool: asyncpg.Pool,
) -> None:
    """vendor-a's contract, on which the barred vendor is an approved subcontractor, had ended
    before the bar; extended past it, the barred subcontractor works on it again."""
    prime = case_migration.awarded(START, CONTRACTS[0])
    prime["vendor_id"] = "vendor-a"
    prime["payload"]["ends_on"] = "2022-06-30"
    subcontract = {"contract_id": "c01", "subcontract_id": "s-1"}
    requested = {
        **subcontract,
        "subcontractor_vendor_id": VENDOR,
        "scope": "運用",
        "requested_on": "2022-01-10",
    }
    await apply(
        pool,
        prime,
        envelope("contract.subcontract_requested", requested, "vendor-a"),
        envelope(
            "contract.subcontract_approved",
            {**subcontract, "approved_on": "2022-01-20"},
            "vendor-a",
        ),
        case_migration.eligibility_lost(VENDOR, SUSPENDED_ON),
    )
    assert await pool.fetchval("SELECT count(*) FROM migration_plans") == 0  # it had ended
    extended = {"contract_id": "c01", "effective_on": "2022-08-01", "ends_on": "2023-12-31"}
    await apply(pool, envelope("contract.amended", extended | {"reason": "Extended."}, "vendor-a"))
    async with pool.acquire() as conn:
        items = await plan_repository.items(conn, PLAN)
    assert [(r["contract_id"], r["via_subcontract_id"]) for r in items] == [("c01", "s-1")]


async def test_a_plan_opened_by_hand_holds_the_vendors_running_contracts(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, *case_migration.contracts(START))
    # Barred at another agency only: it may still bid at this plan's.
    elsewhere_only = case_migration.eligibility_lost(VENDOR, SUSPENDED_ON, "water-2022-902")
    elsewhere_only["payload"]["reasons"][0]["agencies"] = ["Water Bureau"]
    await apply(pool, elsewhere_only)
    request = {"plan_id": "plan-risk-b", "agency": AGENCY, "reason": "Risk band critical."}
    await apply(pool, envelope("migration.plan_requested", request, VENDOR))
    async with pool.acquire() as conn:
        plan = await plan_repository.plan(conn, "plan-risk-b")
        items = await plan_repository.items(conn, "plan-risk-b")
    assert plan is not None and plan.trigger.value == "manual" and plan.vendor_eligible
    assert len(items) == len(CONTRACTS)
    again = envelope("migration.plan_requested", {**request, "plan_id": "plan-2"}, VENDOR)
    assert "already has plan plan-risk-b" in await refusal(pool, again)
    elsewhere = {**request, "plan_id": "plan-3", "agency": "税務課"}
    elsewhere = envelope("migration.plan_requested", elsewhere, VENDOR)
    assert "no running contract at 税務課" in await refusal(pool, elsewhere)


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


async def test_many_causes_between_two_passes_are_summed_up_not_an_event_too_long(
    pool: asyncpg.Pool,
) -> None:
    # Sixty checklist updates before the planner's next pass made its line of what changed
    # longer than an event holds: the planner raised on every pass, and the plan (and every
    # plan due after it) was never scheduled again.
    await the_case(pool)
    updates = [
        item_event("migration.checklist_updated", contract.contract_id, check=check, passed=flag)
        for contract in CONTRACTS
        for check in ("data_migration_rehearsed", "parallel_run_passed")
        for flag in (True, False, True)
    ]
    assert len(updates) == 60
    await apply(pool, *updates)
    version = await replan(pool)
    assert version.version == 2
    (line,) = version.changes
    assert line.startswith("no change to the schedule (")
    assert line.endswith("; and 55 more)")


async def test_a_plan_the_planner_cannot_schedule_does_not_stop_the_others(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await apply(pool, *case_migration.contracts(START))
    await apply(pool, case_migration.eligibility_lost(VENDOR, SUSPENDED_ON))
    scheduling = planner.replan

    async def broken_first(conn: Connection, plan_id: str, clock: Clock) -> bool:
        if plan_id == "plan-broken":
            raise ValueError("a fault in the planner's code")
        return await scheduling(conn, plan_id, clock)

    async def due(conn: Connection, limit: int, waited: float) -> list[tuple[str, float]]:
        return [("plan-broken", 10.0), (PLAN, 10.0)]

    monkeypatch.setattr(planner, "replan", broken_first)
    monkeypatch.setattr(plan_repository, "plans_due_by_size", due)
    assert await replan_due(pool, CLOCK) == 1
    async with pool.acquire() as conn:
        assert await plan_repository.latest_version(conn, PLAN) is not None
    assert "plan plan-broken could not be scheduled" in caplog.text


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
