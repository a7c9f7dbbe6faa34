"""The migration case on a real PostgreSQL, as the migration service's tests play it: vendor
B's ten contracts, its suspension from 2022-07-09 and the plan it opens at 市民課, applied
through the migration consumer (the registry's verdicts are not asked), re-planned by the
planner with a fixed clock; and the operations its tests repeat."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from services.migration.plan_opening import automatic_plan_id
from services.migration.planner_queue import replan_due
from services.migration.setup import consumer
from services.migration.storage import plan_repository
from services.platform.settings import Settings
from tests.support import case_migration, registry_db
from tests.support.case_migration import AGENCY, VENDOR
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.migration_checks import operation
from tests.support.registry import TOKYO, FixedClock

SUSPENDED_ON = dt.date(2022, 7, 9)
START = dt.date(2022, 7, 1)
CLOCK = FixedClock(TOKYO, dt.datetime(2022, 7, 9, 9, 0, tzinfo=TOKYO))
MIGRATION = consumer(CLOCK)
PLAN = automatic_plan_id(VENDOR, AGENCY)
TAX = "税務課"


async def apply(pool: asyncpg.Pool, *events: dict[str, Any]) -> None:
    await registry_db.apply(pool, *events, consumer=MIGRATION)


async def refusal(pool: asyncpg.Pool, event: dict[str, Any]) -> str:
    return await registry_db.rejection(pool, event, MIGRATION)


async def replan(pool: asyncpg.Pool) -> plan_repository.VersionRow:
    assert await replan_due(pool, CLOCK) >= 1
    async with pool.acquire() as conn:
        version = await plan_repository.latest_version(conn, PLAN)
    assert version is not None
    return version


async def the_case(pool: asyncpg.Pool) -> plan_repository.VersionRow:
    await apply(pool, *case_migration.contracts(START))
    await apply(pool, case_migration.eligibility_lost(VENDOR, SUSPENDED_ON))
    await apply(pool, case_migration.configured(PLAN, START), *case_migration.dependencies(PLAN))
    return await replan(pool)


def item_event(event_type: str, contract_id: str, **payload: Any) -> dict[str, Any]:
    return envelope(event_type, {"plan_id": PLAN, "contract_id": contract_id, **payload}, VENDOR)


async def c01_in_progress_with_vendor_c(pool: asyncpg.Pool) -> None:
    """c01's replacement vendor-c, chosen long enough ago, and its migration under way."""
    await apply(
        pool,
        item_event(
            "migration.replacement_chosen",
            "c01",
            replacement_vendor_id="vendor-c",
            chosen_on="2022-05-01",
        ),
        item_event("migration.item_status_changed", "c01", status="in_progress", on="2022-07-09"),
    )


async def choose_for_c01(pool: asyncpg.Pool, vendor_id: str) -> dict[str, Any]:
    """`chooseReplacementVendor` for c01 through the API: its receipt."""
    chosen = await execute(
        pool,
        operation("choose-replacement-vendor"),
        planId=PLAN,
        contractId="c01",
        vendorId=vendor_id,
    )
    receipt: dict[str, Any] = chosen["chooseReplacementVendor"]
    return receipt


def today() -> dt.date:
    """The API's today (the registry's time zone)."""
    return Settings(database_url="unused").clock.today()


def tax_contract(vendor_id: str, ends_on: dt.date) -> dict[str, Any]:
    """The award of a contract of the vendor at `TAX` (id `tax-vendor`), ending then."""
    payload = {
        "contract_id": f"tax-{vendor_id}",
        "agency": TAX,
        "title": "税務システム",
        "category": "information_systems",
        "criticality": "legally_mandated",
        "awarded_on": "2020-03-01",
        "starts_on": "2020-04-01",
        "ends_on": ends_on.isoformat(),
        "amount": 50_000_000,
    }
    return envelope("contract.awarded", payload, vendor_id)


def awards(
    vendor_id: str, count: int, agency: str, ends_on: dt.date, name: str
) -> list[dict[str, Any]]:
    """`count` contracts of the vendor at the agency (ids `name-vendor-n`), as
    `tax_contract` awards them."""
    awarded = []
    for n in range(count):
        award = tax_contract(vendor_id, ends_on)
        award["payload"] |= {"contract_id": f"{name}-{vendor_id}-{n}", "agency": agency}
        awarded.append(award)
    return awarded
