"""Fixtures shared by integration test modules: the statements a pool ran (for the tests that
look under the API), the world of the global-id tests (every kind of object the API serves),
and a stall time of a second (the stuck loops' tests)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import pytest

from services.platform.postgres.database import open_pool
from services.platform.settings import Settings, stalls
from tests.support import postgres
from tests.support.running_system import running_system, settled, submit
from tests.support.served_objects import records
from tests.support.whole_case import the_case

ASYNCPG_INTROSPECTION = ("typeinfo_tree", "set_config('jit'")


@pytest.fixture
def short_stalls(monkeypatch: pytest.MonkeyPatch) -> Iterator[float]:
    """VENDORWATCH_STALL_SECONDS set to a second for the test; that stall time."""
    monkeypatch.setenv("VENDORWATCH_STALL_SECONDS", "1")
    stalls.cache_clear()
    yield stalls().stall_seconds
    stalls.cache_clear()


@pytest.fixture
async def counted(database_url: str) -> AsyncIterator[tuple[asyncpg.Pool, list[str]]]:
    statements: list[str] = []

    def log(record: asyncpg.connection.LoggedQuery) -> None:
        # asyncpg's own reading of a composite type's layout (with JIT off meanwhile): once
        # per connection, not statements of the request.
        if not any(part in record.query for part in ASYNCPG_INTROSPECTION):
            statements.append(record.query)

    async def log_queries(conn: asyncpg.Connection[Any]) -> None:
        conn.add_query_logger(log)

    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2, init=log_queries)
    yield pool, statements
    await pool.close()


# The global-id tests' (test_api_node_*.py) objects of every kind.
@pytest.fixture(scope="module")
async def world(test_databases: postgres.TestDatabases) -> AsyncIterator[asyncpg.Pool]:
    """The case, processed by every service until settled, then left still for the tests."""
    url = await test_databases.create()
    pool = await open_pool(url)
    try:
        settings = Settings(database_url=url)
        async with running_system(pool, settings):
            await submit(pool, *the_case(settings.clock.today().replace(day=1)), *records())
            await settled(pool)
        yield pool
    finally:
        await pool.close()
        await test_databases.drop(url)
