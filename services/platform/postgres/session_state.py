"""Which pooled connections hold state beyond a transaction, so that only they are reset.

asyncpg resets every connection it takes back into a pool (`pg_advisory_unlock_all`, `CLOSE
ALL`, `UNLISTEN *`, `RESET ALL`): one more round trip at every release, for state that almost
no user of the pool ever takes. A connection is marked by whoever takes such state, and only
a marked one is reset (`database.open_pool`).
"""

from __future__ import annotations

from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# What handlers and repositories take: a connection of their own or one lent by the pool.
Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"

# The pooled connections that took state outliving a transaction (a session advisory lock,
# LISTEN), by server process id: only these are reset when they go back to the pool.
_SESSION_STATE: set[int] = set()


def keeps_session_state(conn: Connection) -> None:
    """Call on a pooled connection *before* taking state that outlives a transaction (a
    session advisory lock, LISTEN, SET): the pool then resets it when it is released, as
    asyncpg does every connection. Others go back as they are (their transaction, if still
    open, rolled back by asyncpg): the reset statement was a round trip at every release, a
    quarter of an eligibility check's."""
    _SESSION_STATE.add(conn.get_server_pid())


async def reset_if_needed(conn: asyncpg.Connection) -> None:
    """The pool's reset. Two servers' connections with one process id (tests) only cost an
    extra reset, or skip one when both were marked and one of them was released first."""
    pid = conn.get_server_pid()
    if pid in _SESSION_STATE:
        _SESSION_STATE.discard(pid)
        await conn.execute(conn.get_reset_query())
