"""How many rows of a table a read takes, as PostgreSQL counts them: for reads whose work
must stay bounded as the data grows, asserted by what they read rather than by how long they
take."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.platform.postgres.database import Connection

T = TypeVar("T")

# The table's rows this backend has read and not yet reported (its counts since the last
# report, the current transaction's included).
_ROWS_READ = "SELECT seq_tup_read + idx_tup_fetch FROM pg_stat_xact_user_tables WHERE relname = $1"


async def rows_read(
    conn: Connection, table: str, read: Callable[[], Awaitable[T]]
) -> tuple[T, int]:
    """What `read` gives, run on `conn` in one transaction, and how many rows of `table` it
    read there (counted in this backend alone: a parallel worker's rows are not, so none
    is planned)."""
    async with conn.transaction():
        await conn.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        before: int = await conn.fetchval(_ROWS_READ, table)
        result = await read()
        after: int = await conn.fetchval(_ROWS_READ, table)
    return result, after - before
