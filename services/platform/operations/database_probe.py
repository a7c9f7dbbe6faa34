"""Whether PostgreSQL answers, and what /readyz asks of it, on a connection of the probe's own.

/healthz asked `SELECT 1` through the process's pool, within LIVENESS_DATABASE_SECONDS; under
load (an import, a rebuild, many mutations) every connection of the pool was busy for longer
than that (four of ten held by LISTENs), and /healthz said `degraded`, waiting for a
PostgreSQL that answered all along (an operator's soak test: 24 such answers in ten minutes).
What a pool has free says how busy the process is, not whether its database answers, so the
probe keeps one connection apart from the pool, made again after any failure. /readyz, which
asked its migrations through the pool within its own 4 s, read the same busy pool as "not
ready" (the load balancer took traffic away from a process busy with it): it asks here too,
as a distributed worker's /readyz does (eventlog/faust_observability.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import asyncpg

# How the probe's connection shows in pg_stat_activity: an idle connection an operator would
# otherwise wonder about.
APPLICATION_NAME = "vendorwatch /healthz, /readyz"

T = TypeVar("T")


class DatabaseProbe:
    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._connection: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()  # one probe at a time on the one connection

    async def select_one(self) -> None:
        """Raises unless PostgreSQL answers; the caller bounds the wait (`unreachable`)."""
        await self.ask(lambda connection: connection.fetchval("SELECT 1"))

    async def ask(self, question: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        """`question`'s answer on the probe's connection (readiness: the pending migrations);
        raises unless PostgreSQL answers, and the caller bounds the wait."""
        async with self._lock:
            try:
                if self._connection is None or self._connection.is_closed():
                    self._connection = await asyncpg.connect(
                        self._url, server_settings={"application_name": APPLICATION_NAME}
                    )
                return await question(self._connection)
            except BaseException:  # its time run out too: a statement may be under way on it
                self.close()
                raise

    def close(self) -> None:
        """Drops the connection (a stop, a failure): at once, as nothing waits on it."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.terminate()


@contextlib.asynccontextmanager
async def database_probe(database_url: str) -> AsyncIterator[DatabaseProbe]:
    """A probe for the block, its connection dropped at the end (before an embedded
    PostgreSQL stops)."""
    probe = DatabaseProbe(database_url)
    try:
        yield probe
    finally:
        probe.close()
