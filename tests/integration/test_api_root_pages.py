"""The lists across vendors (`contracts`, `sanctions`, `registeredVendors`) on a real
PostgreSQL, read by key after the cursor: every record once, in id order, whatever the page
size and the filters; cursors as they were (a client's saved cursor still goes on from the
same place); the total of every matching record whatever the cursor, and counted only when
`totalCount` is asked (a fragment's included)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import pytest

from services.platform.consuming.consumer import Consumer
from services.platform.graphql.pagination import key_cursor
from services.registry.handlers import CONSUMER_NAME
from services.registry.storage import record_repository as records
from tests.support import case_b
from tests.support.event_examples import envelope, example
from tests.support.in_process_api import execute
from tests.support.registry import REGISTRY
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

CONSUMER = Consumer(CONSUMER_NAME, dict(REGISTRY.handlers))

# contract id → (vendor, agency, first day, last day). Ids interleave the vendors, so a page
# in id order is not a page of one vendor.
CONTRACTS = {
    f"c-{n:02}": (
        f"vendor-{n % 3}",
        "税務課" if n % 2 else "市民課",
        f"202{n % 4}-04-01",
        f"202{n % 4 + 1}-03-31",
    )
    for n in range(1, 12)
}


async def award_all(pool: asyncpg.Pool) -> None:
    await apply(pool, *(case_b.another_vendor(f"vendor-{n}") for n in range(3)), consumer=CONSUMER)
    awards = [
        envelope(
            "contract.awarded",
            example(
                "contract.awarded",
                contract_id=contract_id,
                agency=agency,
                awarded_on=starts_on,
                starts_on=starts_on,
                ends_on=ends_on,
            ),
            vendor,
        )
        for contract_id, (vendor, agency, starts_on, ends_on) in CONTRACTS.items()
    ]
    await apply(pool, *awards, consumer=CONSUMER)


def matching(agency: str | None = None, day: str | None = None) -> list[str]:
    return [
        contract_id
        for contract_id, (_, at, starts_on, ends_on) in sorted(CONTRACTS.items())
        if (agency is None or at == agency) and (day is None or starts_on <= day <= ends_on)
    ]


CONTRACT_PAGE = """query ($first: Int!, $after: String, $agency: String, $day: Date) {
  contracts(first: $first, after: $after, agency: $agency, activeOn: $day) {
    totalCount edges { cursor node { contractId } } pageInfo { hasNextPage endCursor } } }"""


async def every_page(
    pool: asyncpg.Pool, query: str, field: str, first: int, **variables: Any
) -> list[dict[str, Any]]:
    """The pages of a connection from the first on, each asked after the last's end."""
    pages: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await execute(pool, query, first=first, after=after, **variables))[field]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("first", [1, 2, 5, 11, 20])
@pytest.mark.parametrize(
    ("agency", "day"),
    [(None, None), ("市民課", None), (None, "2022-06-01"), ("税務課", "2021-04-01")],
)
async def test_contracts_are_paged_by_id_each_once_with_the_total_on_every_page(
    pool: asyncpg.Pool, first: int, agency: str | None, day: str | None
) -> None:
    await award_all(pool)
    expected = matching(agency, day)
    assert expected, "a case that lists nothing proves nothing"
    pages = await every_page(pool, CONTRACT_PAGE, "contracts", first, agency=agency, day=day)
    listed = [e["node"]["contractId"] for p in pages for e in p["edges"]]
    assert listed == expected
    assert all(len(p["edges"]) == first for p in pages[:-1])
    assert {p["totalCount"] for p in pages} == {len(expected)}
    # A cursor is the one a client was given before contracts were read by key.
    cursors = [e["cursor"] for p in pages for e in p["edges"]]
    assert cursors == [key_cursor("contract_id", c) for c in expected]


async def test_a_contracts_cursor_past_the_last_gives_an_empty_page_with_the_total(
    pool: asyncpg.Pool,
) -> None:
    await award_all(pool)
    last = key_cursor("contract_id", "c-11")
    page = (await execute(pool, CONTRACT_PAGE, first=3, after=last, agency=None, day=None))[
        "contracts"
    ]
    assert page == {
        "totalCount": len(CONTRACTS),
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": last},
    }
    # A saved cursor of a contract that does not match the filter still places the page.
    between = key_cursor("contract_id", "c-04")
    after_it = await execute(pool, CONTRACT_PAGE, first=2, after=between, agency="税務課", day=None)
    assert [e["node"]["contractId"] for e in after_it["contracts"]["edges"]] == ["c-05", "c-07"]


async def test_a_system_owner_pages_its_agencies_contracts_only(pool: asyncpg.Pool) -> None:
    await award_all(pool)
    async with pool.acquire() as conn:
        page = (await records.contracts(conn, None, first=2, agencies=["税務課"]))[None]
        rest = (await records.contracts(conn, None, first=20, after="c-03", agencies=["税務課"]))[
            None
        ]
    assert ([c.contract_id for c in page.records], page.total, page.has_next) == (
        ["c-01", "c-03"],
        len(matching("税務課")),
        True,
    )
    assert [c.contract_id for c in rest.records] == matching("税務課")[2:]


TOTAL_ONLY_IN_A_FRAGMENT = """
fragment Counted on ContractConnection { totalCount }
query { contracts(first: 2) { ...Counted edges { node { contractId } } }
        sanctions(first: 1) { ... on SanctionConnection { totalCount } } }"""

NO_TOTALS = """query { contracts(first: 2) { edges { node { contractId } } }
  sanctions(first: 1) { edges { node { sanctionId } } } }"""


async def test_totals_across_vendors_are_counted_only_when_asked_and_then_right(
    counted: tuple[asyncpg.Pool, list[str]],
) -> None:
    pool, statements = counted
    await award_all(pool)
    await apply(pool, case_b.suspended("vendor-1", sanction_id="s-1"), consumer=CONSUMER)
    await apply(pool, case_b.suspended("vendor-2", sanction_id="s-2"), consumer=CONSUMER)
    statements.clear()
    asked = await execute(pool, TOTAL_ONLY_IN_A_FRAGMENT)
    assert len([s for s in statements if "count(*)" in s]) == 2, statements
    assert asked["contracts"]["totalCount"] == len(CONTRACTS)
    assert [e["node"]["contractId"] for e in asked["contracts"]["edges"]] == ["c-01", "c-02"]
    assert asked["sanctions"] == {"totalCount": 2}
    statements.clear()
    unasked = await execute(pool, NO_TOTALS)
    assert [s for s in statements if "count(*)" in s] == []
    assert unasked["contracts"]["edges"] == asked["contracts"]["edges"]
    assert unasked["sanctions"]["edges"] == [{"node": {"sanctionId": "s-1"}}]


SANCTION_PAGE = """query ($first: Int!, $after: String, $day: Date) {
  sanctions(first: $first, after: $after, activeOn: $day) {
    totalCount edges { cursor node { sanctionId vendorId } }
    pageInfo { hasNextPage endCursor } } }"""


@pytest.mark.parametrize("day", [None, "2022-12-01"])
async def test_sanctions_are_paged_by_id_each_once_with_the_total_on_every_page(
    pool: asyncpg.Pool, day: str | None
) -> None:
    await apply(pool, *(case_b.another_vendor(f"vendor-{n}") for n in range(3)), consumer=CONSUMER)
    # Ids in another order than their vendors'; s-4 was lifted before the day.
    ids = {"s-3": "vendor-0", "s-1": "vendor-1", "s-4": "vendor-1", "s-2": "vendor-2"}
    await apply(
        pool,
        *(case_b.suspended(vendor, sanction_id=sanction) for sanction, vendor in ids.items()),
        envelope(
            "sanction.lifted",
            {"sanction_id": "s-4", "effective_on": "2022-11-01", "reason": "Lifted."},
            "vendor-1",
        ),
        consumer=CONSUMER,
    )
    expected = sorted(s for s in ids if day is None or s != "s-4")
    for first in (1, 3):
        pages = await every_page(pool, SANCTION_PAGE, "sanctions", first, day=day)
        edges = [e for p in pages for e in p["edges"]]
        assert [(e["node"]["sanctionId"], e["node"]["vendorId"]) for e in edges] == [
            (s, ids[s]) for s in expected
        ]
        assert [e["cursor"] for e in edges] == [key_cursor("sanction_id", s) for s in expected]
        assert {p["totalCount"] for p in pages} == {len(expected)}


async def test_a_page_across_vendors_not_counted_has_no_total(pool: asyncpg.Pool) -> None:
    await award_all(pool)
    async with pool.acquire() as conn:
        page = (
            await records.contracts(conn, None, first=3, active_on=dt.date(2022, 6, 1), count=False)
        )[None]
    assert [c.contract_id for c in page.records] == matching(day="2022-06-01")[:3]
    assert page.total is None
