"""One connection lent again and again inside one transaction, in place of a pool.

A rebuild applies its batches through the same code as live consumers, which take a
connection from a pool and run each batch in a transaction of its own. Given this instead,
every batch runs on the one connection, inside the transaction it holds open: a batch's
own transaction becomes a savepoint of it (asyncpg nests them so), and nothing is visible to
anyone else until `commit`. So readers go on seeing the state as it was while it is being
replaced, and a rebuild that fails, or is stopped, leaves it as it was.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from services.platform.postgres.database import Connection


class OneTransaction:
    """Lends one connection, inside the transaction `one_transaction` opened on it."""

    def __init__(self, conn: Connection, transaction: asyncpg.transaction.Transaction) -> None:
        self._conn = conn
        self._transaction = transaction
        self.committed = False

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Connection]:
        yield self._conn

    async def commit(self) -> None:
        await self._transaction.commit()
        self.committed = True


@asynccontextmanager
async def one_transaction(pool: asyncpg.Pool) -> AsyncIterator[OneTransaction]:
    """One of the pool's connections in a transaction, lent by the object yielded until the
    block ends; committed only by its `commit`, rolled back if the block ends without it."""
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        held = OneTransaction(conn, transaction)
        try:
            yield held
        finally:
            if not held.committed:
                # Not over the error that brought us here: a commit that failed leaves the
                # transaction unusable, and the pool rolls back what it gets back anyway. Not
                # asked of `conn` either: a connection lost (PostgreSQL stopped) is taken back
                # by its pool at once, and the proxy lent raises InterfaceError at any call,
                # `is_closed()` too, which hid the lost connection behind it. The
                # transaction holds the connection itself: a closed one raises InterfaceError.
                with contextlib.suppress(asyncpg.InterfaceError, asyncpg.PostgresError, OSError):
                    await transaction.rollback()
