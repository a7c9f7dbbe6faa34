"""No N+1: a page of many plans (items, replacements, schedules) or of many vendors (their
contracts, sanctions, incidents, …) costs the same number of SQL statements as a page of one.
Counted on a real PostgreSQL."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.migration.plan_opening import automatic_plan_id
from services.migration.planner_queue import replan_due
from tests.support import case_b, case_migration, registry_db
from tests.support.case_migration import AGENCY
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.migration_db import CLOCK, START, SUSPENDED_ON, apply

pytestmark = pytest.mark.postgres

PLANS = """
query ($first: Int!) { migrationPlans(first: $first) { totalCount edges { node {
  id planId solver { id status } items { id contractId replacementVendorId replacementProblem
  blockers phaseLabel reasons } phases { label items { contractId } } } } } }"""


async def seed(pool: asyncpg.Pool, vendors: int) -> None:
    """`vendors` barred vendors with the case's ten contracts each, a replacement chosen."""
    for n in range(vendors):
        vendor = f"vendor-{n}"
        events = case_migration.contracts(START)
        for event in events:
            event["vendor_id"] = vendor
            event["payload"]["contract_id"] += f"-{n}"
        await apply(pool, *events, case_migration.eligibility_lost(vendor, SUSPENDED_ON))
        chosen = {
            "plan_id": automatic_plan_id(vendor, AGENCY),
            "contract_id": f"c01-{n}",
            "replacement_vendor_id": "vendor-r",
            "chosen_on": "2022-07-09",
        }
        await apply(pool, envelope("migration.replacement_chosen", chosen, vendor))
    await apply(pool, case_migration.eligibility_lost("vendor-r", SUSPENDED_ON, "s-r"))
    while await replan_due(pool, CLOCK):
        pass


async def statements_for(
    pool: asyncpg.Pool, statements: list[str], first: int, query: str = PLANS
) -> tuple[int, dict[str, Any]]:
    statements.clear()
    data = await execute(pool, query, first=first)
    return len(statements), data


async def test_a_page_of_plans_costs_the_same_statements_whatever_its_size(
    counted: tuple[asyncpg.Pool, list[str]],
) -> None:
    pool, statements = counted
    await seed(pool, 4)
    one, small = await statements_for(pool, statements, first=1)
    four, large = await statements_for(pool, statements, first=4)
    assert len(small["migrationPlans"]["edges"]) == 1
    plans = [edge["node"] for edge in large["migrationPlans"]["edges"]]
    assert len(plans) == 4 and all(len(p["items"]) == 10 for p in plans)
    # Every plan's replacement is barred, and the answer says so: the data really was loaded.
    assert all(
        "s-r" in (i["replacementProblem"] or "")
        for p in plans
        for i in p["items"]
        if i["replacementVendorId"]
    )
    assert four == one, f"{one} statements for one plan, {four} for four"


VENDORS = """
query ($first: Int!) { registeredVendors(first: $first) { totalCount edges { node {
  id vendorId legalName identifiers { scheme value }
  contracts(first: 3) { totalCount edges { node { contractId endsOn criticality } } }
  sanctions(first: 3) { totalCount edges { node { sanctionId endsOn } } }
  incidents(first: 3) { totalCount } claims(first: 3) { totalCount }
  certificates(first: 3) { totalCount } subcontracts(first: 3) { totalCount }
  affiliates { vendorId periods { firstDay until } }
} } } }"""


def affiliated(vendor: str, parent: str, change: str, effective_on: str) -> dict[str, Any]:
    payload = {
        "related_vendor_id": parent,
        "relation": "parent",
        "change": change,
        "effective_on": effective_on,
    }
    return envelope("vendor.affiliation_changed", payload, vendor)


async def test_a_page_of_vendors_with_their_records_costs_the_same_statements_whatever_its_size(
    counted: tuple[asyncpg.Pool, list[str]],
) -> None:
    pool, statements = counted
    for n in range(5):
        vendor = f"vendor-{n}"
        contracts = case_migration.contracts(START)[: n + 1]
        for event in contracts:
            event["vendor_id"] = vendor
            event["payload"]["contract_id"] += f"-{n}"
        suspended = case_b.suspended(vendor, f"s-{n}")
        # Each vendor's parent is the one before; vendor-1's relation ended.
        parents = [affiliated(vendor, f"vendor-{n - 1}", "added", "2020-04-01")] if n else []
        if n == 1:
            parents.append(affiliated(vendor, "vendor-0", "removed", "2021-04-01"))
        await registry_db.apply(
            pool, case_b.another_vendor(vendor), *contracts, suspended, *parents
        )
    one, small = await statements_for(pool, statements, first=1, query=VENDORS)
    five, large = await statements_for(pool, statements, first=5, query=VENDORS)
    vendors = [edge["node"] for edge in large["registeredVendors"]["edges"]]
    assert len(small["registeredVendors"]["edges"]) == 1
    assert [v["contracts"]["totalCount"] for v in vendors] == [1, 2, 3, 4, 5]
    assert all(v["sanctions"]["totalCount"] == 1 for v in vendors)
    # Affiliates from either side of the relation, with when they were.
    standing = [{"firstDay": "2020-04-01", "until": None}]
    assert vendors[1]["affiliates"] == [
        {"vendorId": "vendor-0", "periods": [{"firstDay": "2020-04-01", "until": "2021-04-01"}]},
        {"vendorId": "vendor-2", "periods": standing},
    ]
    assert vendors[4]["affiliates"] == [{"vendorId": "vendor-3", "periods": standing}]
    assert five == one, f"{one} statements for one vendor, {five} for five"
