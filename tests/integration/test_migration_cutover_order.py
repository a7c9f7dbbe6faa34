"""An item marked done out of the order its plan keeps (real PostgreSQL; an exploratory
tester's finding): before an item it moves after, or, where early termination is forbidden,
before its contract's end. Accepted, the plan then went on as OPTIMAL with no word of it.
Early is judged by the day (a later finding: judged by the phase, a "done" weeks before the
end passed when the end fell inside the phase), by migration from the rules of 2026-12-08."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
import pytest

from services.migration.planning.model import SolverStatus
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

MILESTONE = """mutation ($plan: ID!, $contractId: ID!, $on: Date) {
  recordMigrationMilestone(planId: $plan, contractId: $contractId, status: DONE, on: $on) {
    accepted errors { field message code } } }"""
# c05 (税務ポータル) moves after c04 (税務システム); its contract ends on 2022-12-31 (the case).
EARLY = "2022-10-03"
WAITS = (
    "c05 cannot be marked done before what it moves after: c04 (planned); record those done"
    " first, or take them out of its dependencies"
)
TOO_EARLY = (
    "c05's contract runs until 2022-12-31 and the plan forbids early termination: not done"
    " before 2023-01-01, the day after it ends"
)
# Migration's words for it under the rules of 2026-12-07, which compared phases only.
EARLY_PHASE = (
    "c05's contract runs until 2022-12-31 and the plan forbids early termination: not done"
    " before 2023-01, its natural end"
)


async def _ready(pool: asyncpg.Pool, contract_id: str) -> None:
    """The item's replacement chosen and every check ticked."""
    chosen = item_event(
        "migration.replacement_chosen",
        contract_id,
        replacement_vendor_id="vendor-c",
        chosen_on="2022-07-10",
    )
    checks = [
        item_event("migration.checklist_updated", contract_id, check=check, passed=True)
        for check in (
            "data_migration_rehearsed",
            "parallel_run_passed",
            "erasure_certificate_received",
            "disposal_certificate_received",
        )
    ]
    await apply(pool, chosen, *checks)


async def _done(pool: asyncpg.Pool, contract_id: str, on: str) -> dict[str, Any]:
    answer = await execute(pool, MILESTONE, plan=PLAN, contractId=contract_id, on=on)
    receipt: dict[str, Any] = answer["recordMigrationMilestone"]
    return receipt


async def test_done_before_what_it_moves_after_is_refused(pool: asyncpg.Pool) -> None:
    await the_case(pool)
    await _ready(pool, "c05")
    receipt = await _done(pool, "c05", EARLY)
    assert receipt == {
        "accepted": False,
        "errors": [
            {"field": "status", "message": WAITS, "code": "dependency_not_done"},
            {"field": "on", "message": TOO_EARLY, "code": "before_contract_end"},
        ],
    }
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 0
    # At its natural end, still before c04: refused for the order alone.
    receipt = await _done(pool, "c05", "2023-01-05")
    assert [e["code"] for e in receipt["errors"]] == ["dependency_not_done"]
    # Migration's own verdict on the event from any producer, from the rules of 2026-12-07.
    owners_now = consumer(FixedClock(TOKYO, FOURTH_RULES_FROM))
    done = item_event("migration.item_status_changed", "c05", status="done", on=EARLY)
    reason = await registry_db.rejection(pool, done, owners_now)
    assert reason == f"payload.status: {WAITS}; payload.on: {EARLY_PHASE}"
    # c04 done first (after its own end, 2023-01-31), c05 then: recorded.
    await _ready(pool, "c04")
    assert await _done(pool, "c04", "2023-03-01") == {"accepted": True, "errors": []}
    await apply(
        pool, item_event("migration.item_status_changed", "c04", status="done", on="2023-03-01")
    )
    # Done the day before c04 is, it still waits for it.
    receipt = await _done(pool, "c05", "2023-02-28")
    assert receipt["errors"] == [
        {
            "field": "status",
            "message": "c05 cannot be marked done before what it moves after: c04 (done on"
            " 2023-03-01, after 2023-02-28); record those done first, or take them out of its"
            " dependencies",
            "code": "dependency_not_done",
        }
    ]
    assert await _done(pool, "c05", "2023-03-02") == {"accepted": True, "errors": []}


async def test_a_cut_over_out_of_order_recorded_before_the_rule_is_said_on_the_plan(
    pool: asyncpg.Pool,
) -> None:
    """Recorded before the rules of 2026-12-07 (as a contract terminated as migrated is, a
    fact of the world, whenever it comes), the cut-over stands, and the plan says the order
    it broke rather than nothing."""
    await the_case(pool)
    await _ready(pool, "c05")
    done = item_event("migration.item_status_changed", "c05", status="done", on=EARLY)
    await apply(pool, {**done, "event_id": str(uuid.uuid4())})
    version = await replan(pool)
    assert version.snapshot.schedule.status is SolverStatus.OPTIMAL
    c05 = {a.contract_id: a for a in version.snapshot.schedule.assignments}["c05"]
    assert c05.reasons == (
        "already cut over in 2022-10 (done)",
        "cut over before c04 '税務システム', which it moves after (it cuts over in 2023-03)",
    )
    # A contract terminated as migrated out of order: a fact, said alike (c10 takes one of
    # 2022-10's two cut-overs, c01 waits a month).
    terminated = envelope(
        "contract.terminated",
        {"contract_id": "c10", "terminated_on": "2022-09-30", "reason": "migrated"},
        VENDOR,
    )
    await apply(pool, terminated)
    version = await replan(pool)
    c10 = {a.contract_id: a for a in version.snapshot.schedule.assignments}["c10"]
    assert c10.reasons[-1] == (
        "cut over before c01 '住民記録システム', which it moves after (it cuts over in 2022-11)"
    )


async def test_a_done_milestone_reads_when_it_was_recorded_once(
    pool: asyncpg.Pool, counted: tuple[asyncpg.Pool, list[str]]
) -> None:
    """The handler's rules share one reading of the event's `recorded_at` (a reviewer's
    finding: the cut-over order's rule read it again for every done milestone)."""
    await the_case(pool)
    await _ready(pool, "c04")
    owners_now = consumer(FixedClock(TOKYO, FOURTH_RULES_FROM))
    done = item_event("migration.item_status_changed", "c04", status="done", on="2023-03-01")
    watched, statements = counted
    await registry_db.apply(watched, done, consumer=owners_now)
    status = "SELECT status FROM migration_items WHERE contract_id = 'c04'"
    assert await pool.fetchval(status) == "done"
    reads = [s for s in statements if s.startswith("SELECT event_id, recorded_at FROM event_store")]
    assert len(reads) == 1, statements


def _until(contract_id: str, ends_on: str) -> dict[str, Any]:
    """The contract's term amended to end on `ends_on`."""
    amended = {"contract_id": contract_id, "effective_on": "2022-08-01", "ends_on": ends_on}
    return envelope("contract.amended", amended | {"reason": "Shortened."}, VENDOR)


def _refused_early(contract_id: str, ends_on: str, first: str) -> dict[str, Any]:
    message = (
        f"{contract_id}'s contract runs until {ends_on} and the plan forbids early"
        f" termination: not done before {first}, the day after it ends"
    )
    return {
        "accepted": False,
        "errors": [{"field": "on", "message": message, "code": "before_contract_end"}],
    }


async def test_done_inside_the_natural_phase_but_before_the_contract_ends_is_refused(
    pool: asyncpg.Pool,
) -> None:
    """c01's contract ends on 2022-09-20, inside its natural phase (2022-09, which holds the
    day after): done on 2022-09-06 is two weeks early, refused, as one in an earlier phase
    is; on the 20th still early; on the 21st, the replacement's first day, recorded. With
    phases of three months, c04's ending on 2023-01-31 is early on 2023-01-05 (its natural
    phase, 2023-01–03, began before it ends) and not on 2023-02-01. The planner puts
    each in that natural phase: the one holding the first day a "done" may be dated."""
    await the_case(pool)
    await apply(pool, _until("c01", "2022-09-20"))
    version = await replan(pool)
    c01 = {a.contract_id: a for a in version.snapshot.schedule.assignments}["c01"]
    assert c01.phase == 2  # 2022-09, from 2022-07
    await _ready(pool, "c01")
    assert await _done(pool, "c01", "2022-09-06") == _refused_early(
        "c01", "2022-09-20", "2022-09-21"
    )
    assert await _done(pool, "c01", "2022-09-20") == _refused_early(
        "c01", "2022-09-20", "2022-09-21"
    )
    assert await _done(pool, "c01", "2022-09-21") == {"accepted": True, "errors": []}

    quarters = envelope("migration.plan_configured", {"plan_id": PLAN, "phase_months": 3}, VENDOR)
    await apply(pool, quarters)
    await _ready(pool, "c04")
    assert await _done(pool, "c04", "2023-01-05") == _refused_early(
        "c04", "2023-01-31", "2023-02-01"
    )
    assert await _done(pool, "c04", "2023-02-01") == {"accepted": True, "errors": []}


async def test_migration_judges_early_by_the_day_from_the_rules_of_2026_12_08(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same "done" inside the natural phase, before the contract's end, from any
    producer: refused when the log records it from the rule's instant on; applied, as the
    rules of 2026-12-07 judged it (by the phase), when it recorded it before, so that a
    rebuild gives it the verdict live processing gave."""
    await the_case(pool)
    await apply(pool, _until("c01", "2022-09-20"))
    await _ready(pool, "c01")
    owners = consumer(FixedClock(TOKYO, FOURTH_RULES_FROM))
    done = item_event("migration.item_status_changed", "c01", status="done", on="2022-09-06")
    monkeypatch.setattr(later_rules, "FIFTH_RULES_FROM", PAST)
    assert await registry_db.rejection(pool, done, owners) == (
        "payload.on: c01's contract runs until 2022-09-20 and the plan forbids early"
        " termination: not done before 2022-09-21, the day after it ends"
    )
    monkeypatch.setattr(later_rules, "FIFTH_RULES_FROM", FAR)
    await registry_db.apply(pool, {**done, "event_id": str(uuid.uuid4())}, consumer=owners)
    status = "SELECT status, status_on FROM migration_items WHERE contract_id = 'c01'"
    row = await pool.fetchrow(status)
    assert row is not None and tuple(row) == ("done", dt.date(2022, 9, 6))


async def test_cut_overs_done_past_a_phase_s_capacity_are_said_on_the_plan(
    pool: asyncpg.Pool,
) -> None:
    """Three items done in 2022-10, whose capacity is 2 (an exploratory tester's finding: the
    plan stayed OPTIMAL with no word of it). Not refused (capacity is what the plan
    schedules; what happened happened), but each of them says it, in the version's reasons,
    as the API, the console and the CSV give them; a phase within its capacity says nothing."""
    await the_case(pool)
    for contract_id in ("c01", "c02", "c03"):
        await _ready(pool, contract_id)
    done = [
        item_event("migration.item_status_changed", cid, status="done", on="2022-10-03")
        for cid in ("c01", "c02")
    ]
    await apply(pool, *done)
    version = await replan(pool)
    reasons = {a.contract_id: a.reasons for a in version.snapshot.schedule.assignments}
    assert (reasons["c01"], reasons["c02"]) == ((), ())
    third = item_event("migration.item_status_changed", "c03", status="done", on="2022-10-04")
    await apply(pool, third)
    version = await replan(pool)
    assert version.snapshot.schedule.status is SolverStatus.OPTIMAL
    reasons = {a.contract_id: a.reasons for a in version.snapshot.schedule.assignments}
    over = "2022-10 took 3 cut-overs done (c01, c02, c03), over its capacity of 2"
    assert [reasons[cid] for cid in ("c01", "c02", "c03")] == [(over,), (over,), (over,)]
