"""How fast events go through ingest and into the registry (measured, not asserted).

Run alone with `./scripts/test tests/benchmarks`; pytest-benchmark prints the table.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from services.ingest.handlers import ingest_batch
from services.platform.consuming.consumer import apply_serialized_batch
from services.platform.postgres.database import open_pool
from services.registry import rebuild as registry_rebuild
from tests.support import case_b
from tests.support.registry import REGISTRY

pytestmark = pytest.mark.postgres

BATCH = 500


def _batch() -> list[bytes]:
    return [case_b.line(case_b.another_vendor(f"bench-{i}")) for i in range(BATCH)]


def test_ingest_then_registry_batch_of_500(benchmark: Any, database_url: str) -> None:
    async def run() -> None:
        pool = await open_pool(database_url, migrate=False)
        try:
            events = _batch()
            await ingest_batch(pool, events)
            result = await apply_serialized_batch(pool, REGISTRY, events)
            assert result.applied == BATCH
        finally:
            await pool.close()

    async def reset() -> None:
        pool = await open_pool(database_url, migrate=False)
        try:
            # Every registry table, as a rebuild empties them, so each round registers the same
            # number of new vendors (no foreign key cascades from registry_vendors any more).
            async with pool.acquire() as conn, conn.transaction():
                await registry_rebuild.reset(conn)
                await conn.execute("TRUNCATE registry_outbox")
        finally:
            await pool.close()

    def setup() -> tuple[tuple[()], dict[str, Any]]:
        asyncio.run(reset())
        return (), {}

    benchmark.pedantic(lambda: asyncio.run(run()), setup=setup, rounds=3)
