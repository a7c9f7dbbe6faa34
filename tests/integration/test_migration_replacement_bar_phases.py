"""A replacement barred at the plan's agency is not cut over to while it is barred (real
PostgreSQL, the real solver, through the API, as `vendorwatch up` runs): a system owner
chooses vendor-r to take over c02 and c04, then a sanction authority suspends vendor-r for
nine months from today. Each item moves to the phase holding the day vendor-r may bid there
again, and says so; penalising early cut-overs does not pull them back inside the bar (a
tester found c04 left a month before that day, and c02 pulled to the first phase by the
penalty, with only the blocker naming the bar). Early cut-overs, once penalised, are
explained by what decided them: a resident-facing system moved a year and a half early is
there to reduce exposure, not because of a blackout in a phase it passed over."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import pytest
from dateutil.relativedelta import relativedelta

from services.platform.settings import Settings
from tests.support import case_b, case_migration
from tests.support.event_examples import sanction_input
from tests.support.in_process_api import execute
from tests.support.migration_checks import operation, suspension_from_today
from tests.support.running_system import running_system, settled, submit
from tests.support.whole_case import PLAN, SANCTION, VENDOR

pytestmark = pytest.mark.postgres

REPLACEMENT = "vendor-r"
BAR_MONTHS = 9
EXPOSURE = (
    "before its natural end to reduce exposure (resident-facing):"
    " early cut-overs are penalised, not forbidden"
)


def label(start: dt.date, months: int) -> str:
    return (start + relativedelta(months=months)).strftime("%Y-%m")


async def items(pool: asyncpg.Pool) -> dict[str, dict[str, Any]]:
    plan = (await execute(pool, operation("migration-plan"), planId=PLAN))["migrationPlan"]
    assert plan["upToDate"] and plan["solver"]["status"] == "OPTIMAL", plan["solver"]
    return {i["contractId"]: i for i in plan["items"]}


async def test_an_item_waits_until_its_replacement_may_bid_again(
    pool: asyncpg.Pool, database_url: str
) -> None:
    settings = Settings(database_url=database_url)
    today = settings.clock.today()
    start = today.replace(day=1)
    async with running_system(pool, settings):
        await submit(
            pool,
            case_b.registered(),
            case_b.another_vendor(REPLACEMENT),
            *case_migration.contracts(start),
            suspension_from_today(VENDOR, SANCTION),
        )
        await settled(pool)
        await submit(
            pool, case_migration.configured(PLAN, start), *case_migration.dependencies(PLAN)
        )
        await settled(pool)
        for contract_id in ("c02", "c04"):
            chosen = await execute(
                pool,
                operation("choose-replacement-vendor"),
                planId=PLAN,
                contractId=contract_id,
                vendorId=REPLACEMENT,
            )
            assert chosen["chooseReplacementVendor"]["accepted"], chosen
        await settled(pool)
        before = await items(pool)
        assert (before["c02"]["phaseLabel"], before["c04"]["phaseLabel"]) == (
            label(start, 3),  # its natural end
            label(start, case_migration.BLACKOUT_PHASE + 1),  # after the blackout
        )

        bar = case_b.suspended(
            REPLACEMENT,
            "city-2026-r",
            decided_on=(today - dt.timedelta(days=1)).isoformat(),
            starts_on=today.isoformat(),
            duration_months=BAR_MONTHS,
        )["payload"]
        imposed = await execute(
            pool,
            operation("impose-sanction"),
            vendorId=REPLACEMENT,
            sanction=sanction_input(bar) | {"kind": "BID_SUSPENSION"},
        )
        assert imposed["imposeSanction"]["accepted"], imposed
        await settled(pool)

        free_on = today + relativedelta(months=BAR_MONTHS)
        barred = (
            f"replacement {REPLACEMENT} barred here until {free_on - dt.timedelta(days=1)}:"
            f" not before {label(start, BAR_MONTHS)}"
        )
        forbid = await items(pool)
        for contract_id in ("c02", "c04"):
            item = forbid[contract_id]
            assert item["replacementProblem"].endswith(f"eligible here again on {free_on}")
            assert item["phaseLabel"] == label(start, BAR_MONTHS), item
            assert item["reasons"] == [barred], item["reasons"]
        # c05 moves after c04, so after the bar too.
        assert forbid["c05"]["phaseLabel"] == label(start, BAR_MONTHS + 1)

        configured = await execute(
            pool,
            operation("configure-migration-plan"),
            planId=PLAN,
            settings={"earlyCutover": "PENALISE"},
        )
        assert configured["configureMigrationPlan"]["accepted"], configured
        await settled(pool)
        penalise = await items(pool)
        for contract_id in ("c02", "c04"):
            assert penalise[contract_id]["phaseLabel"] >= label(start, BAR_MONTHS), penalise[
                contract_id
            ]
        c09 = penalise["c09"]
        assert c09["phaseLabel"] < c09["naturalPhaseLabel"]  # moved early: resident-facing
        assert c09["reasons"] == [EXPOSURE]
