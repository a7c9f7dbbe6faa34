"""What every projection's rebuild shares: exclusion from live batches, a clean start, and
no rebuild from a log that has been tampered with.

A rebuild runs while the system runs. It holds its consumer's lock (consumer_lock.py)
exclusively, on the one connection of a pool of its own, for the whole of its reset and
replay: live batches of that consumer wait meanwhile, then skip through the ledger what the
rebuild applied. The rebuild's own batches run on that same connection, and a session never
conflicts with its own locks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from services.platform.consuming.consumer_lock import lock_key
from services.platform.eventstore import verification
from services.platform.postgres.database import SERVER_SETTINGS, Connection


class BrokenChain(RuntimeError):
    """The event log no longer matches its hash chains: replaying it would make its edits
    the truth."""


async def refuse_broken_chain(pool: asyncpg.Pool, force: bool) -> None:
    """Walks the chains (`vendorwatch verify`) unless `force`; raises BrokenChain naming the
    first problem."""
    if force:
        return
    result = await verification.verify(pool)
    if not result.intact:
        problems = "; ".join(str(p) for p in result.problems)
        raise BrokenChain(f"the event log is broken ({problems}); --force rebuilds anyway")


async def _keep_locks(_: asyncpg.Connection) -> None:
    """Instead of asyncpg's reset on release, which would drop the session's advisory locks."""


@asynccontextmanager
async def exclusive_pool(
    database_url: str, consumer: str, *also: int
) -> AsyncIterator[asyncpg.Pool]:
    """A pool of one connection holding `consumer`'s lock (and the `also` keys: the periodic
    jobs that write the same state) exclusively until it closes; waits for running batches."""

    async def lock(conn: asyncpg.Connection) -> None:
        for key in (lock_key(consumer), *also):
            await conn.execute("SELECT pg_advisory_lock($1)", key)

    pool = await asyncpg.create_pool(
        database_url,
        min_size=1,
        max_size=1,
        init=lock,
        reset=_keep_locks,
        server_settings=SERVER_SETTINGS,
    )
    try:
        yield pool
    finally:
        await pool.close()  # ends the session, and with it the locks


async def forget_progress(conn: Connection, consumer: str) -> None:
    """The consumer's ledger and offsets, gone: the log is applied to it again from the start
    (its refusals too: they are judged again, and their dead letters are kept once)."""
    await conn.execute("DELETE FROM processed_events WHERE consumer = $1", consumer)
    await conn.execute("DELETE FROM consumer_offsets WHERE consumer = $1", consumer)
