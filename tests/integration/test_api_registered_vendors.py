"""`registeredVendors` on a real PostgreSQL: read by key a page at a time; the registry's
vendors counted (a read of the whole table) only when `totalCount` is asked, a fragment's
included; the exclusions export's pages read without a count."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from services.platform.graphql.pagination import key_cursor
from services.registry.exports.exclusions import exclusions
from tests.support import case_b
from tests.support.in_process_api import execute
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

COUNTED = """fragment Vendors on VendorConnection { totalCount }
query ($after: String) { registeredVendors(first: 2, after: $after) {
  ...Vendors edges { cursor } pageInfo { hasNextPage } } }"""

UNCOUNTED = """query ($after: String) { registeredVendors(first: 2, after: $after) {
  edges { cursor } pageInfo { hasNextPage } } }"""


def counts(statements: list[str]) -> list[str]:
    return [s for s in statements if "count(*)" in s]


async def test_registered_vendors_are_counted_only_when_asked_and_then_right(
    counted: tuple[asyncpg.Pool, list[str]],
) -> None:
    pool, statements = counted
    await apply(pool, *(case_b.another_vendor(f"vendor-{n}") for n in range(5)))
    cursor = [key_cursor("vendor_id", f"vendor-{n}") for n in range(5)]
    for after, edges, more in ((None, cursor[:2], True), (cursor[3], cursor[4:], False)):
        statements.clear()
        page = (await execute(pool, COUNTED, after=after))["registeredVendors"]
        assert len(counts(statements)) == 1
        assert page["totalCount"] == 5  # every vendor, whatever the cursor
        assert ([e["cursor"] for e in page["edges"]], page["pageInfo"]["hasNextPage"]) == (
            edges,
            more,
        )
        statements.clear()
        unasked = (await execute(pool, UNCOUNTED, after=after))["registeredVendors"]
        assert counts(statements) == []
        assert unasked["edges"] == page["edges"] and unasked["pageInfo"] == page["pageInfo"]


async def test_the_exclusions_export_reads_its_pages_without_counting(
    counted: tuple[asyncpg.Pool, list[str]],
) -> None:
    pool, statements = counted
    await apply(pool, case_b.registered(), case_b.another_vendor("vendor-a"), case_b.suspended())
    statements.clear()
    barred = [e.vendor.vendor_id async for e in exclusions(pool, dt.date(2022, 8, 1))]
    assert barred == [case_b.VENDOR]
    assert counts(statements) == []
