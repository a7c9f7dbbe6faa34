"""A pooled connection goes back to the pool without a statement, unless it was marked as
holding state beyond a transaction (a session lock, LISTEN): then it is reset, and that
state does not leak to the next user of the connection."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.platform.postgres.session_state import keeps_session_state

pytestmark = pytest.mark.postgres

LOCK_KEY = 4242


async def _sent_at_release(pool: asyncpg.Pool, marked: bool) -> list[str]:
    """The statements the pool sends when a connection that took the lock goes back."""
    sent: list[str] = []
    conn = await pool.acquire()

    def record(query: Any) -> None:
        sent.append(query.query)

    if marked:
        keeps_session_state(conn)
    await conn.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
    await conn.execute("SELECT pg_advisory_unlock($1)", LOCK_KEY)  # the taker's own release
    conn.add_query_logger(record)  # stays with the connection: this test's pool alone
    await pool.release(conn)
    return sent


async def test_only_a_marked_connection_is_reset(pool: asyncpg.Pool) -> None:
    assert await _sent_at_release(pool, marked=False) == []
    (reset,) = await _sent_at_release(pool, marked=True)
    assert "pg_advisory_unlock_all" in reset


async def test_a_marked_connection_s_session_lock_does_not_outlive_its_use(
    pool: asyncpg.Pool, database_url: str
) -> None:
    async with pool.acquire() as conn:
        keeps_session_state(conn)
        assert await conn.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY)
        # Left held, as a task cancelled between taking and releasing it would leave it.
    other = await asyncpg.connect(database_url)
    try:
        assert await other.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY)
    finally:
        await other.close()


async def test_a_transaction_left_open_is_rolled_back_all_the_same(pool: asyncpg.Pool) -> None:
    conn = await pool.acquire()
    await conn.execute("BEGIN")
    await conn.execute("CREATE TABLE left_open (n int)")
    await pool.release(conn)
    assert await pool.fetchval("SELECT to_regclass('left_open')") is None
