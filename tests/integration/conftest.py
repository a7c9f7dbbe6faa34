"""Fixtures of the integration tests that look under the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

ASYNCPG_INTROSPECTION = ("typeinfo_tree", "set_config('jit'")


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
