"""A long-running process's stop closes its pool whatever still holds a connection: a
`vendorwatch up` stopped by SIGTERM after a day's use waited for ever in `Pool.close` (a
connection never released), its embedded PostgreSQL left running until a second signal."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest

from services.platform.postgres import database
from services.platform.postgres.database import close_pool, open_pool

pytestmark = pytest.mark.postgres


class _Kept(logging.Handler):
    """The module's warnings, whatever the process's logging was set up as before: another
    test's `vendorwatch` command may have replaced the root's handlers (pytest's capture)
    and set its level above WARNING."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


async def test_a_stop_closes_the_pool_under_a_connection_never_released(
    database_url: str,
) -> None:
    kept = _Kept()
    logger = logging.getLogger(database.__name__)
    level = logger.level
    logger.setLevel(logging.WARNING)
    logger.addHandler(kept)
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
        # Bounded here, so that a close that waits for ever fails the test.
        await asyncio.wait_for(close_pool(pool, within=0.5), 10)
        assert pool.is_closing()
        warned = kept.messages
        assert any("closed under them" in m and "holds a connection" in m for m in warned)
    finally:
        logger.removeHandler(kept)
        logger.setLevel(level)
        holder.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await holder
