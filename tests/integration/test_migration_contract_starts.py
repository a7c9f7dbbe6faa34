"""A contract awarded to start later, on its plan (real PostgreSQL; an exploratory tester's
finding): with early cut-overs penalised, a resident-facing contract starting in April was
scheduled to cut over in January, before the vendor had run it a day, since the solver knew
no start date. It cuts over no earlier than the phase its term begins in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.migration.setup import consumer
from services.platform.eventlog.embedded import EmbeddedEventLog, drain
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from tests.support import case_b, case_migration
from tests.support.case_migration import AGENCY, VENDOR
from tests.support.event_examples import envelope
from tests.support.migration_db import (
    CLOCK,
    PLAN,
    START,
    SUSPENDED_ON,
    apply,
    replan,
    tax_contract,
)

pytestmark = pytest.mark.postgres

MIGRATIONS = Path(__file__).parents[2] / "services" / "migration" / "migrations"


def _later_contract() -> dict[str, Any]:
    """Awarded before the suspension, to run from 2023-04-01 (the plan's phase 9) to
    2024-02-29: its natural phase is 2024-03."""
    payload = {
        "contract_id": "c11",
        "agency": AGENCY,
        "title": "窓口予約システム",
        "category": "information_systems",
        "criticality": "resident_facing",
        "awarded_on": "2022-06-01",
        "starts_on": "2023-04-01",
        "ends_on": "2024-02-29",
        "amount": 30_000_000,
    }
    return envelope("contract.awarded", payload, VENDOR)


async def test_a_contract_starting_later_is_not_cut_over_before_it_starts(
    pool: asyncpg.Pool,
) -> None:
    # Awarded while nothing barred the vendor (the batch's one statement), then barred.
    await apply(pool, *case_migration.contracts(START), _later_contract())
    await apply(pool, case_migration.eligibility_lost(VENDOR, SUSPENDED_ON))
    penalised = {"plan_id": PLAN, "early_cutover": "penalise"}
    await apply(pool, envelope("migration.plan_configured", penalised, VENDOR))
    version = await replan(pool)
    (c11,) = [a for a in version.snapshot.schedule.assignments if a.contract_id == "c11"]
    settings = version.snapshot.problem.settings
    assert (c11.phase, c11.natural_phase) == (9, 20)
    assert settings.starts_on == START  # phase 9 is 2023-04, the month its term begins
    # Found later, while the vendor is barred: joins the plan with its start too.
    later = _later_contract()
    later["payload"] |= {"contract_id": "c12", "starts_on": "2023-06-01"}
    await apply(pool, later)
    version = await replan(pool)
    phases = {a.contract_id: a.phase for a in version.snapshot.schedule.assignments}
    assert (phases["c11"], phases["c12"]) == (9, 11)


async def test_contracts_learnt_before_the_upgrade_are_given_their_awards_starts(
    pool: asyncpg.Pool,
) -> None:
    """Migration 0008's backfill, run on rows as the release before wrote them (no start):
    each contract gets the start of the award migration applied, from the log."""
    log = EmbeddedEventLog(pool, ingest_batch)
    running = tax_contract("vendor-s", dt.date(2027, 3, 31))
    await log.submit([case_b.line(e) for e in (case_b.another_vendor("vendor-s"), running)])
    settings = Settings(database_url="unused")
    await drain(pool, registry_setup.consumer(settings, registry_setup.policies(settings)))
    await drain(pool, consumer(CLOCK))
    contracts = "SELECT contract_id, starts_on FROM migration_contracts"
    assert [tuple(r) for r in await pool.fetch(contracts)] == [
        ("tax-vendor-s", dt.date(2020, 4, 1))
    ]
    await pool.execute("UPDATE migration_contracts SET starts_on = NULL")
    backfill = (MIGRATIONS / "0008_contract_starts.sql").read_text(encoding="utf-8")
    await pool.execute(backfill[backfill.index("UPDATE") :])
    assert [tuple(r) for r in await pool.fetch(contracts)] == [
        ("tax-vendor-s", dt.date(2020, 4, 1))
    ]
