"""Cut-overs on a real PostgreSQL: the checklist rule (no item done while its checklist is
incomplete), an item cut over changed no more, a cut-over retried under its idempotency key
taken as the first, and a plan without a schedule keeping the cut-overs done."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import asyncpg
import pytest

from services.migration.domain.items import checklist
from services.migration.planning.export_csv import plan_csv, read_plan_csv
from services.migration.planning.model import SolverStatus
from services.migration.setup import consumer
from services.migration.storage import plan_repository
from services.migration.storage.plan_loading import load_items
from tests.support import case_migration, registry_db
from tests.support.case_migration import VENDOR
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.migration_db import (
    PLAN,
    SUSPENDED_ON,
    apply,
    item_event,
    refusal,
    replan,
    the_case,
)
from tests.support.registry import TOKYO, FixedClock

pytestmark = pytest.mark.postgres


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
