"""One connection lent in one transaction, on a real PostgreSQL: its connection lost, the
block ends with the error that lost it, not one of the clean-up's own."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from services.platform.operations.outages import is_outage
from services.platform.postgres.one_transaction import one_transaction

pytestmark = pytest.mark.postgres


async def test_a_lost_connection_is_the_error_the_block_ends_with(pool: asyncpg.Pool) -> None:
    """The pool takes a lost connection back at once; the clean-up asked the proxy it had
    lent whether it was closed, and its InterfaceError ("released back to the pool") hid
    the loss from whoever reads the error (a rebuild's 254-line traceback)."""
    with pytest.raises(asyncpg.InterfaceError) as raised:
        async with one_transaction(pool) as held, held.acquire() as conn:
            pid = await conn.fetchval("SELECT pg_backend_pid()")
            async with pool.acquire() as other:
                await other.execute("SELECT pg_terminate_backend($1)", pid)
            await asyncio.sleep(0.5)  # PostgreSQL's word of it read: the pool took it back
            await conn.execute("SELECT 1")
    # The statement's error ("cannot call Connection.execute()"), not the clean-up's.
    assert "Connection.execute" in str(raised.value), raised.value
    assert is_outage(raised.value)
    async with pool.acquire() as conn:  # and the pool serves on
        assert await conn.fetchval("SELECT 1") == 1
