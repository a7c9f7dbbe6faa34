"""Statements that must read their rows in an index's order, not sort them.

A walk reads a table a page at a time in key order (`LIMIT` after the last key read). The
planner picks the index only while its statistics say the rows are many: a table filled
since it was last analysed (a rebuild's replay, a restore) is estimated at a few rows, and
a partition's rows fewer than a page, and each page was then read by scanning the rows
after it and sorting them, envelopes and all, in work memory, then in a temporary file (a
5,000-event partition under the smallest `work_mem`). With sorting off the index is taken
whatever the estimates: each page then costs its own rows, whatever the table's size.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from services.platform.postgres.database import Connection


@asynccontextmanager
async def along_indexes(conn: Connection) -> AsyncIterator[None]:
    """Sorting off for the statements of the block, in the caller's transaction only (an
    error ends the transaction, and the setting with it); set back as it was after."""
    sorting = await conn.fetchval("SELECT current_setting('enable_sort')")
    await conn.execute("SELECT set_config('enable_sort', 'off', true)")
    yield
    await conn.execute("SELECT set_config('enable_sort', $1, true)", sorting)
