"""What an automatic migration plan says bars its vendor, on a real PostgreSQL: restated when
the registry announces another bar there (a suspension extended, a debarment after it), in
a version saying so, and said once; the registry's eligible-again day only where it is the
day here too; a plan opened by hand keeps its owner's words."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
import pytest

from services.events.migration import MigrationTrigger
from services.migration import plan_opening
from services.migration.storage import plan_repository
from services.migration.storage.plan_repository import PlanRow
from tests.support import case_migration
from tests.support.case_migration import VENDOR
from tests.support.migration_db import PLAN, START, SUSPENDED_ON, apply

pytestmark = pytest.mark.postgres

AUTHORITY = "City procurement office"


def _announced(*reasons: dict[str, Any], again: dt.date | None) -> dict[str, Any]:
    """The registry's announcement that the vendor is barred for these reasons."""
    lost = case_migration.eligibility_lost(VENDOR, SUSPENDED_ON)
    lost["payload"] |= {
        "reasons": list(reasons),
        "eligible_again_on": again.isoformat() if again else None,
    }
    return lost


def _reason(
    sanction_id: str, kind: str = "bid_suspension", ends_on: dt.date | None = None, **scope: Any
) -> dict[str, Any]:
    return {
        "sanction_id": sanction_id,
        "kind": kind,
        "authority": AUTHORITY,
        "starts_on": SUSPENDED_ON.isoformat(),
        "ends_on": ends_on.isoformat() if ends_on else None,
        **scope,
    }


async def _plan(pool: asyncpg.Pool) -> PlanRow:
    async with pool.acquire() as conn:
        plan = await plan_repository.plan(conn, PLAN)
    assert plan is not None
    return plan


async def test_a_plan_says_what_bars_its_vendor_now_once_per_change(pool: asyncpg.Pool) -> None:
    first_end, longer = dt.date(2024, 1, 8), dt.date(2024, 7, 8)
    await apply(pool, *case_migration.contracts(START))
    await apply(
        pool, _announced(_reason("s-1", ends_on=first_end), again=first_end + dt.timedelta(1))
    )
    opened = await _plan(pool)
    assert opened.reason == (
        f"bid suspension s-1 by {AUTHORITY} from {SUSPENDED_ON} until {first_end};"
        f" eligible again on {first_end + dt.timedelta(1)}"
    )

    # Extended by six months: the plan says so, in one more revision with its cause.
    extended = _announced(_reason("s-1", ends_on=longer), again=longer + dt.timedelta(1))
    await apply(pool, extended)
    plan = await _plan(pool)
    said = (
        f"bid suspension s-1 by {AUTHORITY} from {SUSPENDED_ON} until {longer};"
        f" eligible again on {longer + dt.timedelta(1)}"
    )
    assert (plan.reason, plan.trigger) == (said, MigrationTrigger.SUSPENSION)
    assert plan.revision == opened.revision + 1
    assert plan.causes[-1] == f"what bars {VENDOR} here changed as of {SUSPENDED_ON}: {said}"
    # The same bar announced again (another agency's sanction lifted, say): nothing to say.
    await apply(pool, dict(extended, event_id=str(uuid.uuid4())))
    assert (await _plan(pool)).revision == plan.revision

    # Debarred on top of it: the plan's trigger follows.
    debarment = _reason("d-1", kind="debarment")
    await apply(pool, _announced(_reason("s-1", ends_on=longer), debarment, again=None))
    plan = await _plan(pool)
    assert plan.trigger is MigrationTrigger.DEBARMENT
    assert f"debarment d-1 by {AUTHORITY} from {SUSPENDED_ON} indefinitely" in plan.reason


async def test_the_eligible_again_day_is_said_only_where_it_is_the_day_here(
    pool: asyncpg.Pool,
) -> None:
    """Barred at the plan's agency until the first end and elsewhere for longer: the
    registry's day is the later one, not this plan's; each reason says its own end."""
    here_until, elsewhere_until = dt.date(2023, 1, 8), dt.date(2025, 1, 8)
    await apply(pool, *case_migration.contracts(START))
    here = _reason("s-here", ends_on=here_until, agencies=[case_migration.AGENCY])
    elsewhere = _reason("s-there", ends_on=elsewhere_until, agencies=["道路課"])
    await apply(pool, _announced(here, elsewhere, again=elsewhere_until + dt.timedelta(1)))
    assert (await _plan(pool)).reason == (
        f"bid suspension s-here by {AUTHORITY} from {SUSPENDED_ON} until {here_until}"
    )


async def test_a_plan_opened_by_hand_keeps_its_owners_words(pool: asyncpg.Pool) -> None:
    await apply(pool, *case_migration.contracts(START))
    words = "moving off before the data centre closes"
    async with pool.acquire() as conn:
        refused = await plan_opening.open_by_hand(
            conn,
            VENDOR,
            "plan-by-hand",
            case_migration.AGENCY,
            words,
            SUSPENDED_ON,
            dt.datetime(2022, 7, 9, tzinfo=dt.UTC),
            announce=False,
        )
    assert refused is None
    await apply(pool, _announced(_reason("s-1", ends_on=dt.date(2024, 1, 8)), again=None))
    async with pool.acquire() as conn:
        plan = await plan_repository.plan(conn, "plan-by-hand")
    assert plan is not None and not plan.vendor_eligible
    assert (plan.reason, plan.trigger) == (words, MigrationTrigger.MANUAL)
