"""Which contracts a migration plan holds, on a real PostgreSQL: the plan a suspension opens
with every running contract of the barred vendor, a contract extended past the bar joining it
(once), a barred subcontractor's work planned and flagged, and a plan opened by hand."""

from __future__ import annotations

import json

import asyncpg
import pytest

from services.migration.storage import plan_repository
from tests.support import case_migration
from tests.support.case_migration import AGENCY, CONTRACTS, VENDOR
from tests.support.event_examples import envelope
from tests.support.migration_db import PLAN, START, SUSPENDED_ON, apply, refusal, the_case

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
