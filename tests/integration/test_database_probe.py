"""/healthz asks PostgreSQL on a connection of its own: asked through the process's pool, it
said `degraded`, waiting for the database, whenever every connection of the pool was busy
longer than its probe may wait (an import, a rebuild: an operator's soak test), while
PostgreSQL answered all along."""

from __future__ import annotations

import asyncpg
import pytest

from services.platform.operations.database_probe import database_probe
from tests.support.in_process_api import asgi_client

pytestmark = pytest.mark.postgres


async def test_a_pool_busy_to_its_last_connection_is_no_database_out_of_reach(
    pool: asyncpg.Pool, database_url: str
) -> None:
    held = [await pool.acquire() for _ in range(pool.get_max_size())]
    try:
        async with (
            database_probe(database_url) as probe,
            asgi_client(pool, database=probe) as client,
        ):
            health = (await client.get("/healthz")).json()
    finally:
        for connection in held:
            await pool.release(connection)
    assert health["status"] == "ok", health
    assert "waiting_for" not in health


async def test_a_database_out_of_reach_is_said_and_found_again(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """The probe's connection lost (PostgreSQL restarted, a failover): said once, and the
    next probe connects again."""
    async with database_probe(database_url) as probe, asgi_client(pool, database=probe) as client:
        assert (await client.get("/healthz")).json()["status"] == "ok"
        await pool.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE pid <> pg_backend_pid() AND datname = current_database()"
            " AND query = 'SELECT 1'"
        )
        said = [(await client.get("/healthz")).json() for _ in range(2)]
    assert said[0]["waiting_for"] == ["database"], said
    assert said[1]["status"] == "ok", said
