"""Waking a loop as soon as PostgreSQL says something committed (LISTEN/NOTIFY), with a poll
as the fallback for a notice that never comes (a listener not yet listening, a lost one)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

import asyncpg

from services.platform.operations.back_again import reached_again
from services.platform.operations.outage_cause import said
from services.platform.postgres.database import Connection
from services.platform.postgres.session_state import keeps_session_state

log = logging.getLogger(__name__)


Callback = Callable[[object, int, str, object], None]
# Run on each connection kept for listening, before it listens: session state the process
# keeps with it, taken again on the next one.
AlsoKept = Callable[[Connection], Awaitable[None]]
if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    Pooled = PoolConnectionProxy[asyncpg.Record]

# How long a listener lost to an outage waits before listening again, and between attempts.
RELISTEN_SECONDS = 0.5


def _lost(conn: Connection) -> bool:
    """Whether the connection is gone: closed, or taken back by the pool once lost (asking
    it anything then raises, which the caller's retry took for an outage of its own)."""
    try:
        return conn.is_closed()
    except asyncpg.InterfaceError:
        return True


async def _unlisten(pool: asyncpg.Pool, conn: Pooled, channel: str, callback: Callback) -> None:
    """Stops listening and gives the connection back. A connection lost in an outage is the
    pool's again already, and asking it anything raises (InterfaceError): nothing is left to
    undo, and what ends the caller's block (a cancellation, when stopping) must not be
    replaced by that error, which the retry around it would take for an outage to wait out."""
    if not _lost(conn):
        with contextlib.suppress(Exception):  # stopping: the pool resets it anyway
            await conn.remove_listener(channel, callback)
    await pool.release(conn)


class _KeptListener:
    """A LISTEN on one channel, on a pooled connection replaced whenever it is lost."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        channel: str,
        callback: Callback,
        heard_again: Callable[[], None],
        also_kept: AlsoKept | None,
    ) -> None:
        self._pool, self._channel = pool, channel
        self._callback, self._heard_again = callback, heard_again
        self._also_kept = also_kept
        self._conn: Pooled | None = None
        self._lost: Callable[[object], None] = lambda _conn: None

    async def listen(self) -> asyncio.Event:
        """Listens on a new connection; the event is set when that connection is lost."""
        lost = asyncio.Event()
        conn = self._conn = await self._pool.acquire()
        self._lost = lambda _conn: lost.set()
        try:
            keeps_session_state(conn)
            conn.add_termination_listener(self._lost)
            if self._also_kept is not None:
                await self._also_kept(conn)
            await conn.add_listener(self._channel, self._callback)
        except BaseException:
            await self.close()
            raise
        return lost

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            # The pool keeps the connection, and asyncpg's reset keeps its termination
            # listeners: each listen's would pile up on it.
            with contextlib.suppress(asyncpg.InterfaceError):
                conn.remove_termination_listener(self._lost)
            await _unlisten(self._pool, conn, self._channel, self._callback)

    async def keep(self, lost: asyncio.Event) -> None:
        """Listens again each time the connection is lost, once PostgreSQL takes one. Any
        failure to listen again is tried again (PostgreSQL refusing connections for a while
        after a restart, 53300 when every service reconnects at once): a keeper that gave up
        would leave its loops on their polls for good, and no one would hear of it."""
        while True:
            await lost.wait()
            await self.close()
            failures = 0
            while True:
                await asyncio.sleep(RELISTEN_SECONDS)
                try:
                    lost = await self.listen()
                    break
                except Exception as error:
                    failures += 1
                    if failures == 1:  # once a streak, as `retry.note_failure` says it
                        log.warning(
                            "listening on %s again failed; retrying: %s", self._channel, said(error)
                        )
            reached_again()  # the process's other loops need not sit out their back-off
            self._heard_again()


@contextlib.asynccontextmanager
async def kept_listening(
    pool: asyncpg.Pool,
    channel: str,
    callback: Callback,
    heard_again: Callable[[], None],
    also_kept: AlsoKept | None = None,
) -> AsyncIterator[None]:
    """LISTENs on `channel` with `callback` for the block (listening once it starts), and
    again on a new connection whenever the one held is lost (PostgreSQL restarted, a
    failover), then calling `heard_again`: the notices sent meanwhile reached no one. Without
    it, the loops it wakes fell back to their polls for good after an outage.
    `also_kept`: run on each connection before it listens (session state the process keeps
    for its life, taken again on the next connection)."""
    kept = _KeptListener(pool, channel, callback, heard_again, also_kept)
    lost = await kept.listen()
    keeping = asyncio.create_task(kept.keep(lost), name=f"listen:{channel}")
    try:
        yield
    finally:
        keeping.cancel()
        try:
            await keeping
        except asyncio.CancelledError:
            pass
        except Exception:  # the block's own ending is what the caller is told
            log.exception("the listener on %s had stopped", channel)
        finally:
            await kept.close()
