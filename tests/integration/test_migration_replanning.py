"""Migration plans scheduled and re-planned on a real PostgreSQL: the case scheduled at
natural ends and checked by the independent verifier, plans no schedule fits explained,
contracts found or ended and the sanction's end recorded as readable changes, many causes
summed up, and a plan the planner cannot schedule stopping no other."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from services.migration import planner
from services.migration.plan_opening import automatic_plan_id
from services.migration.planner_queue import replan_due
from services.migration.planning.model import SolverStatus
from services.migration.storage import plan_repository
from services.platform.clock import Clock
from services.platform.postgres.database import Connection
from tests.support import case_migration
from tests.support.case_migration import CONTRACTS, FORCED, VENDOR
from tests.support.event_examples import envelope
from tests.support.migration_db import (
    CLOCK,
    PLAN,
    START,
    SUSPENDED_ON,
    TAX,
    apply,
    item_event,
    replan,
    tax_contract,
    the_case,
)
from tests.support.migration_verifier import violations

pytestmark = pytest.mark.postgres

TAX_ENDS = dt.date(2023, 3, 31)  # a contract at the tax office still running when suspended


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
    # Two real plans of the vendor: the case's, and one of a single contract at the tax
    # office, which (fewer items) the queue takes first, and whose solve raises.
    await apply(pool, *case_migration.contracts(START), tax_contract(VENDOR, TAX_ENDS))
    await apply(pool, case_migration.eligibility_lost(VENDOR, SUSPENDED_ON))
    broken = automatic_plan_id(VENDOR, TAX)
    async with pool.acquire() as conn:
        due = await plan_repository.plans_due_by_size(conn, 10, 0.0)
    assert [plan_id for plan_id, _ in due] == [broken, PLAN]
    scheduling = planner.replan

    async def broken_first(conn: Connection, plan_id: str, clock: Clock) -> bool:
        if plan_id == broken:
            raise ValueError("a fault in the planner's code")
        return await scheduling(conn, plan_id, clock)

    monkeypatch.setattr(planner, "replan", broken_first)
    assert await replan_due(pool, CLOCK) == 1
    async with pool.acquire() as conn:
        assert await plan_repository.latest_version(conn, PLAN) is not None
        assert await plan_repository.latest_version(conn, broken) is None
    assert f"plan {broken} could not be scheduled" in caplog.text
