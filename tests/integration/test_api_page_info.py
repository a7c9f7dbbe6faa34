"""Relay's complete PageInfo on a real PostgreSQL: a normalising client cache and a pager
read where a page starts and ends and whether there is more either side."""

from __future__ import annotations

import asyncpg
import pytest

from tests.support import case_b
from tests.support.in_process_api import execute
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

PAGE = """query ($after: String) { registeredVendors(first: 2, after: $after) {
  edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""


async def test_pages_say_where_they_are(pool: asyncpg.Pool) -> None:
    await apply(pool, *(case_b.another_vendor(f"vendor-{n}") for n in range(3)))
    first = (await execute(pool, PAGE))["registeredVendors"]
    assert first["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": "vendor-0",
        "endCursor": "vendor-1",
    }
    second = (await execute(pool, PAGE, after="vendor-1"))["registeredVendors"]
    assert second["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": "vendor-2",
        "endCursor": "vendor-2",
    }
    empty = (await execute(pool, PAGE, after="vendor-2"))["registeredVendors"]
    assert empty["edges"] == []
    assert empty["pageInfo"]["startCursor"] is None and empty["pageInfo"]["endCursor"] == "vendor-2"
