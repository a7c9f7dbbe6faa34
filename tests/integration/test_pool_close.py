"""A long-running process's stop closes its pool whatever still holds a connection: a
`vendorwatch up` stopped by SIGTERM after a day's use waited for ever in `Pool.close` (a
connection never released), its embedded PostgreSQL left running until a second signal."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from services.platform.postgres import database
from services.platform.postgres.database import close_pool, open_pool
from tests.support.kept_logs import kept_logs

pytestmark = pytest.mark.postgres


async def test_a_stop_closes_the_pool_under_a_connection_never_released(
    database_url: str,
) -> None:
    pool = await open_pool(database_url, migrate=False)
    held = asyncio.Event()

    async def holds_for_ever() -> None:
        async with pool.acquire() as conn:
            await conn.execute("SELECT 1")
            held.set()
            await asyncio.Event().wait()

    holder = asyncio.create_task(holds_for_ever(), name="holds a connection")
    await held.wait()
    try:
        with kept_logs(database.__name__) as kept:
            # Bounded here, so that a close that waits for ever fails the test.
            await asyncio.wait_for(close_pool(pool, within=0.5), 10)
        assert pool.is_closing()
        warned = kept.messages
        assert any("closed under them" in m and "holds a connection" in m for m in warned)
    finally:
        holder.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await holder
