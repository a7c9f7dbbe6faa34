"""A plan withdrawn by its owner (real PostgreSQL): `withdrawMigrationPlan`'s receipt and
migration's verdict alike (each refusal's code), the plan's status and the list's filter, the
planner passing it by, and what later events of its vendor do (a new bar opens a new plan);
a plan whose contracts run into a bar already recorded to come says it and is kept."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from services.migration.plan_opening import automatic_plan_id
from services.migration.planner_queue import replan_due
from services.migration.setup import consumer
from services.migration.storage import plan_repository
from services.platform.eventstore.later_rules import FOURTH_RULES_FROM
from services.platform.security.auth import Principal, Role
from tests.support import case_migration, registry_db
from tests.support.case_migration import AGENCY, VENDOR
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.migration_db import (
    CLOCK,
    PLAN,
    START,
    SUSPENDED_ON,
    apply,
    item_event,
    refusal,
    the_case,
)
from tests.support.registry import TOKYO, FixedClock

pytestmark = pytest.mark.postgres

WITHDRAW = """mutation ($planId: ID!, $reason: String!) {
  withdrawMigrationPlan(planId: $planId, reason: $reason) {
    accepted eventId errors { field message code } } }"""
SETTINGS = """mutation ($planId: ID!) {
  configureMigrationPlan(planId: $planId, settings: {capacity: 3}) {
    accepted errors { field message code } } }"""
PLAN_STATUS = """query ($planId: ID!) {
  migrationPlan(planId: $planId) { status withdrawnAt withdrawalReason upToDate } }"""
PLANS = """query ($status: MigrationPlanStatus) {
  migrationPlans(status: $status) { totalCount edges { node { planId status } } } }"""
FREED = {"as_of": "2023-07-09", "eligible": True, "reasons": [], "eligible_again_on": None}
OWNER = Principal("owner-1", Role.SYSTEM_OWNER, (AGENCY,))
ELSEWHERE = Principal("owner-2", Role.SYSTEM_OWNER, ("税務課",))


async def withdraw(
    pool: asyncpg.Pool, plan_id: str = PLAN, principal: Principal = OWNER
) -> dict[str, Any]:
    """`withdrawMigrationPlan`'s receipt; an event it records is applied by migration."""
    answer = await execute(pool, WITHDRAW, principal, planId=plan_id, reason="Agency keeps them.")
    receipt: dict[str, Any] = answer["withdrawMigrationPlan"]
    if receipt["accepted"]:
        stored = await pool.fetchval(
            "SELECT envelope::text FROM event_store WHERE event_id = $1::uuid", receipt["eventId"]
        )
        await apply(pool, json.loads(stored))
    return receipt


def withdrawal(plan_id: str = PLAN) -> dict[str, Any]:
    """The event from any producer."""
    return envelope("migration.plan_withdrawn", {"plan_id": plan_id, "reason": "Kept."}, VENDOR)


def codes(receipt: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in receipt["errors"]]


async def logged(pool: asyncpg.Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM event_store")
    return count


async def test_a_plan_is_withdrawn_once_its_vendor_may_bid_again_and_then_changes_no_more(
    pool: asyncpg.Pool,
) -> None:
    await the_case(pool)
    # Unknown, or another agency's (told in the same words): refused, nothing recorded.
    assert codes(await withdraw(pool, "plan-nothing")) == [("planId", "unknown_plan")]
    assert codes(await withdraw(pool, principal=ELSEWHERE)) == [("planId", "unknown_plan")]
    # Vendor B is still suspended at the agency: its contracts must move.
    barred = await withdraw(pool)
    assert barred["errors"] == [
        {
            "field": "planId",
            "message": f"{VENDOR} is still barred at {AGENCY} from plan {PLAN}'s contracts: they"
            " must move to other vendors; the plan can be withdrawn once the vendor may bid for"
            " them again",
            "code": "still_barred",
        }
    ]
    assert await logged(pool) == 0
    # Migration refuses it alike from any producer.
    assert (await refusal(pool, withdrawal())).startswith("payload.plan_id: vendor-b is still")
    # Free again: withdrawn, with its reason, and read so.
    await apply(pool, envelope("vendor.eligibility_changed", FREED, VENDOR))
    assert (await withdraw(pool))["accepted"] is True
    plan = (await execute(pool, PLAN_STATUS, planId=PLAN))["migrationPlan"]
    assert plan["status"] == "WITHDRAWN" and plan["withdrawalReason"] == "Agency keeps them."
    assert plan["withdrawnAt"] is not None and plan["upToDate"] is True
    # Once: `withdrawn_already`, in the receipt and in migration's verdict.
    assert codes(await withdraw(pool)) == [("planId", "withdrawn_already")]
    assert await refusal(pool, withdrawal()) == f"payload.plan_id: plan {PLAN} is withdrawn already"
    # Its owner's changes are refused: `plan_withdrawn`, receipt and migration alike.
    changed = (await execute(pool, SETTINGS, OWNER, planId=PLAN))["configureMigrationPlan"]
    assert codes(changed) == [("planId", "plan_withdrawn")]
    milestone = item_event(
        "migration.item_status_changed", "c01", status="in_progress", on="2023-07-10"
    )
    said = f"payload.plan_id: plan {PLAN} is withdrawn: it changes no more"
    assert await refusal(pool, milestone) == said
    assert await logged(pool) == 1  # the withdrawal alone


async def test_a_withdrawn_plan_is_not_scheduled_and_later_events_pass_it_by(
    pool: asyncpg.Pool,
) -> None:
    await the_case(pool)
    # c01 cut over (its contract terminated as migrated); c03 marked done by its owner, its
    # contract still running; then the vendor is free again.
    migrated = {"contract_id": "c01", "terminated_on": "2022-09-30", "reason": "migrated"}
    await apply(pool, envelope("contract.terminated", migrated, VENDOR))
    chosen = {"replacement_vendor_id": "vendor-c", "chosen_on": "2022-05-01"}
    await apply(pool, item_event("migration.replacement_chosen", "c03", **chosen))
    checks = ["data_migration_rehearsed", "parallel_run_passed"]
    checks += ["erasure_certificate_received", "disposal_certificate_received"]
    for check in checks:
        ticked = item_event("migration.checklist_updated", "c03", check=check, passed=True)
        await apply(pool, ticked)
    await apply(
        pool, item_event("migration.item_status_changed", "c03", status="done", on="2022-07-09")
    )
    await apply(pool, envelope("vendor.eligibility_changed", FREED, VENDOR))
    async with pool.acquire() as conn:
        due = await plan_repository.plan(conn, PLAN)
        latest = await plan_repository.latest_version(conn, PLAN)
    assert due is not None and latest is not None and due.planned_revision < due.revision
    await apply(pool, withdrawal())
    # Due before its withdrawal, it is scheduled no more.
    assert await replan_due(pool, CLOCK) == 0
    # A contract's change reaches it no more.
    amended = {"contract_id": "c02", "effective_on": "2022-07-09", "ends_on": "2030-03-31"}
    amended["reason"] = "extended"
    await apply(pool, envelope("contract.amended", amended, VENDOR))
    async with pool.acquire() as conn:
        after = await plan_repository.plan(conn, PLAN)
        version = await plan_repository.latest_version(conn, PLAN)
    assert after is not None and after.revision == due.revision
    assert version == latest
    # Barred there again: a new plan, of the contracts still to move (c01 and c03 moved
    # already: c03's contract still runs, but cut over in the withdrawn plan).
    await apply(pool, case_migration.eligibility_lost(VENDOR, SUSPENDED_ON, "city-2022-009"))
    new = automatic_plan_id(VENDOR, AGENCY, 1)
    async with pool.acquire() as conn:
        opened = await plan_repository.plan(conn, new)
        items = {r["contract_id"] for r in await plan_repository.items(conn, new)}
        kept = {r["contract_id"]: r["status"] for r in await plan_repository.items(conn, PLAN)}
    assert opened is not None and opened.withdrawn_at is None
    assert "c01" not in items and "c03" not in items and "c02" in items
    assert kept["c01"] == kept["c03"] == "done" and kept["c02"] == "planned"  # history
    assert await replan_due(pool, CLOCK) == 1  # the new plan alone
    # What the withdrawn plan says of its vendor stays true: barred there again (it said
    # "may bid again" of a vendor barred anew), and nothing else of it changed.
    async with pool.acquire() as conn:
        withdrawn = await plan_repository.plan(conn, PLAN)
    assert withdrawn is not None and withdrawn.vendor_eligible is False
    assert withdrawn.revision == due.revision


def award(vendor_id: str, contract_id: str) -> dict[str, Any]:
    """A contract of the case's longest at the agency, of another vendor."""
    payload = case_migration.awarded(START, case_migration.CONTRACTS[-1])["payload"]
    return envelope("contract.awarded", {**payload, "contract_id": contract_id}, vendor_id)


def by_hand(vendor_id: str, plan_id: str) -> dict[str, Any]:
    request = {"plan_id": plan_id, "agency": AGENCY, "reason": "Risk band critical."}
    return envelope("migration.plan_requested", request, vendor_id)


async def test_the_list_filters_by_status_and_gives_every_plan_by_default(
    pool: asyncpg.Pool,
) -> None:
    await the_case(pool)
    # Vendor-e's plan, opened by hand, its one contract cut over: completed.
    migrated = {"contract_id": "e01", "terminated_on": "2022-07-31", "reason": "migrated"}
    await apply(pool, award("vendor-e", "e01"), by_hand("vendor-e", "plan-e"))
    await apply(pool, envelope("contract.terminated", migrated, "vendor-e"))
    # Vendor-f's, opened by hand by mistake and withdrawn.
    mistake = {"plan_id": "plan-f", "reason": "Opened for the wrong vendor."}
    await apply(pool, award("vendor-f", "f01"), by_hand("vendor-f", "plan-f"))
    await apply(pool, envelope("migration.plan_withdrawn", mistake, "vendor-f"))

    async def listed(status: str | None) -> dict[str, str]:
        page = (await execute(pool, PLANS, status=status))["migrationPlans"]
        found = {e["node"]["planId"]: e["node"]["status"] for e in page["edges"]}
        assert page["totalCount"] == len(found)
        return found

    every = {PLAN: "OPEN", "plan-e": "COMPLETED", "plan-f": "WITHDRAWN"}
    assert await listed(None) == every  # as before there were statuses
    for status in ("OPEN", "COMPLETED", "WITHDRAWN"):
        assert await listed(status) == {p: s for p, s in every.items() if s == status}
    # Derived, not stored: barred at the agency, vendor-e's new contract joins plan-e, open
    # again.
    await apply(pool, case_migration.eligibility_lost("vendor-e", SUSPENDED_ON, "city-2022-010"))
    await apply(pool, award("vendor-e", "e02"))
    assert await listed("OPEN") == {PLAN: "OPEN", "plan-e": "OPEN"}


# Free again, but a debarment is already recorded to begin at every agency on 2023-12-01.
DEBARMENT = {
    "sanction_id": "pref-2024-001",
    "kind": "debarment",
    "authority": "Prefecture",
    "starts_on": "2023-12-01",
    "ends_on": "2025-06-30",
}
FREED_BARRED_LATER = {**FREED, "upcoming": [DEBARMENT]}
PLAN_READING = """query ($planId: ID!) {
  migrationPlan(planId: $planId) { vendorEligible vendorBarredLater reason status
    vendorBarsToCome { sanctionId kind authority startsOn endsOn barsFrom }
    vendorBarredLaterContracts } }"""
TO_COME = (
    "to come: debarment pref-2024-001 by Prefecture from 2023-12-01 until 2025-06-30;"
    " eligible here again on 2025-07-01; c09, c10 run into it"
)


async def test_a_plan_whose_contracts_run_into_a_bar_recorded_to_come_says_it_and_is_kept(
    pool: asyncpg.Pool,
) -> None:
    """An exploratory tester's finding: once the suspension was lifted, the plan read its
    vendor as plainly eligible ("nothing bars vendor-b …") and its withdrawal was accepted,
    though a debarment already recorded bars the vendor before two of its contracts end."""
    await the_case(pool)
    await apply(pool, envelope("vendor.eligibility_changed", FREED_BARRED_LATER, VENDOR))
    # Its withdrawal is refused, naming the bar and the contracts; nothing recorded.
    said = (
        f"{VENDOR} will be barred at {AGENCY} by a sanction already recorded before plan {PLAN}'s"
        f" contracts end ({TO_COME}): they must move to other vendors by their end, as the plan"
        " schedules them"
    )
    refused = await withdraw(pool)
    assert refused["errors"] == [{"field": "planId", "message": said, "code": "barred_later"}]
    assert await logged(pool) == 0
    plan = (await execute(pool, PLAN_READING, planId=PLAN))["migrationPlan"]
    # Free to bid today, but not plainly: the bar to come and the contracts it reaches.
    assert plan["vendorEligible"] is True
    assert plan["vendorBarredLater"] == TO_COME
    assert plan["reason"].startswith(f"nothing bars {VENDOR} at {AGENCY} since 2023-07-09")
    assert plan["reason"].endswith(f"; {TO_COME}")
    # And apart, for a reader that shows them its own way: the bar's days and reason, and
    # the contracts.
    assert plan["vendorBarsToCome"] == [
        {
            "sanctionId": "pref-2024-001",
            "kind": "DEBARMENT",
            "authority": "Prefecture",
            "startsOn": "2023-12-01",
            "endsOn": "2025-06-30",
            "barsFrom": None,
        }
    ]
    assert plan["vendorBarredLaterContracts"] == ["c09", "c10"]
    # Migration refuses it alike from any producer, from the rules of 2026-12-07 on; one
    # recorded before them was judged without it, and a rebuild judges it so.
    owners_now = consumer(FixedClock(TOKYO, FOURTH_RULES_FROM))
    assert await registry_db.rejection(pool, withdrawal(), owners_now) == f"payload.plan_id: {said}"
    # The bar moved to begin after every contract's end: nothing reaches them, withdrawn.
    later = {**DEBARMENT, "starts_on": "2030-01-01", "ends_on": "2031-06-30"}
    await apply(
        pool, envelope("vendor.eligibility_changed", {**FREED, "upcoming": [later]}, VENDOR)
    )
    plan = (await execute(pool, PLAN_READING, planId=PLAN))["migrationPlan"]
    assert plan["vendorBarredLater"] is None and "to come" not in plan["reason"]
    assert plan["vendorBarsToCome"] == [] and plan["vendorBarredLaterContracts"] == []
    assert (await withdraw(pool))["accepted"] is True
    assert (await execute(pool, PLAN_STATUS, planId=PLAN))["migrationPlan"]["status"] == "WITHDRAWN"


async def test_a_bar_to_come_reaches_only_the_contracts_still_to_move(pool: asyncpg.Pool) -> None:
    """A contract cut over already (its item done) runs into nothing of its old vendor's;
    and before the rules of 2026-12-07 a withdrawal under a bar to come was applied."""
    await the_case(pool)
    migrated = {"contract_id": "c10", "terminated_on": "2022-09-30", "reason": "migrated"}
    await apply(pool, envelope("contract.terminated", migrated, VENDOR))
    await apply(pool, envelope("vendor.eligibility_changed", FREED_BARRED_LATER, VENDOR))
    plan = (await execute(pool, PLAN_READING, planId=PLAN))["migrationPlan"]
    assert plan["vendorBarredLater"] == TO_COME.replace("c09, c10", "c09")
    assert plan["vendorBarredLaterContracts"] == ["c09"]
    await apply(pool, withdrawal())  # recorded at the case's 2022 clock: before the rule
    assert (await execute(pool, PLAN_STATUS, planId=PLAN))["migrationPlan"]["status"] == "WITHDRAWN"
