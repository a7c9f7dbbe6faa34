"""Vendor B's whole case as events, from registry to migration (`the_case`): registered, ten
contracts, the lost USB memory, its investigation, a claim, and the suspension from today that
opens the plan `PLAN`; and the case applied by the running system (running_system.py), the plan
shaped by its owner (`case_applied`). For the rebuild tests, and the global-id tests' world."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from services.migration.plan_opening import automatic_plan_id
from tests.support import case_b, case_migration, case_risk
from tests.support.event_examples import VALID_PAYLOADS, envelope
from tests.support.migration_checks import suspension_from_today
from tests.support.running_system import settled, submit

VENDOR, AGENCY = case_migration.VENDOR, case_migration.AGENCY
PLAN = automatic_plan_id(VENDOR, AGENCY)
SANCTION = "city-2022-001"
ON = case_migration.CONTRACTS[0].contract_id  # the resident records system


def the_case(start: dt.date) -> list[dict[str, Any]]:
    """Vendor B: registered, ten contracts, the lost USB memory and its investigation, a
    claim, and the suspension from today (so the registry announces it and plans open)."""
    claim = envelope("claim.filed", VALID_PAYLOADS["claim.filed"] | {"contract_id": ON}, VENDOR)
    return [
        case_b.registered(),
        case_b.another_vendor(case_risk.SUBCONTRACTOR),
        *case_migration.contracts(start),
        case_risk.usb_lost(ON),
        case_risk.investigated(),
        claim,
        suspension_from_today(VENDOR, SANCTION),
    ]


async def case_applied(pool: asyncpg.Pool, start: dt.date) -> dt.datetime:
    """The whole case applied by the running system, the plan shaped by its owner; returns
    a moment just before the suspension was recorded (for the eligibility as known then)."""
    case = the_case(start)
    # The vendors first: the moment returned is one when B was on record, not yet suspended.
    await submit(pool, *case[:2])
    await settled(pool)
    await submit(pool, *case[2:])
    await settled(pool)
    # Every event of the case is accepted (its incident and claim name what it recorded).
    assert await pool.fetch("SELECT reason FROM dead_letters") == []
    # The system owner shapes the plan: two more versions, with causes and diffs.
    await submit(pool, case_migration.configured(PLAN, start))
    await settled(pool)
    await submit(pool, *case_migration.dependencies(PLAN))
    await settled(pool)
    suspension_recorded = await pool.fetchval(
        "SELECT recorded_at FROM event_store WHERE event_type = 'sanction.imposed'"
    )
    known_at: dt.datetime = suspension_recorded - dt.timedelta(milliseconds=1)
    return known_at
