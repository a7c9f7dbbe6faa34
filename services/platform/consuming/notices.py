"""Waking a loop as soon as PostgreSQL says something committed (LISTEN/NOTIFY), with a poll
as the fallback for a notice that never comes (a listener not yet listening, a lost one)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg

from services.platform.postgres.database import Connection
from services.platform.postgres.session_state import keeps_session_state


class Notices:
    """The payloads notified on one channel since the last `wait`, over a connection held for
    the purpose (a pooled connection, released when the block ends)."""

    def __init__(self, conn: Connection, channel: str) -> None:
        self._conn = conn
        self.channel = channel
        self._arrived = asyncio.Event()
        self._payloads: set[str] = set()

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        self._payloads.add(str(payload))
        self._arrived.set()

    async def wait(self, fallback_seconds: float) -> set[str]:
        """The payloads of the notices that came since the last call, once one has come or
        `fallback_seconds` have passed (then maybe none). Notices arriving while the caller
        works on the answer are kept for the next call, which then returns at once.

        Raises ConnectionError when the listening connection was lost: no notice can come any
        more, and the caller's loop should be started again (with a new connection)."""
        if not self._arrived.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout=fallback_seconds)
        self._arrived.clear()
        payloads, self._payloads = self._payloads, set()
        if self._conn.is_closed():
            raise ConnectionError(f"lost the connection listening on {self.channel}")
        return payloads


@contextlib.asynccontextmanager
async def listening(pool: asyncpg.Pool, channel: str) -> AsyncIterator[Notices]:
    """LISTENs on `channel` for the block, on a connection of the pool."""
    conn = await pool.acquire()
    notices = Notices(conn, channel)
    try:
        keeps_session_state(conn)
        await conn.add_listener(channel, notices._notified)
        yield notices
    finally:
        if not conn.is_closed():
            with contextlib.suppress(Exception):
                await conn.remove_listener(channel, notices._notified)
        await pool.release(conn)
