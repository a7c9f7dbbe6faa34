"""Whether PostgreSQL answers, asked on a connection of the probe's own.

/healthz asked `SELECT 1` through the process's pool, within LIVENESS_DATABASE_SECONDS; under
load (an import, a rebuild, many mutations) every connection of the pool was busy for longer
than that (four of ten held by LISTENs), and /healthz said `degraded`, waiting for a
PostgreSQL that answered all along (an operator's soak test: 24 such answers in ten minutes).
What a pool has free says how busy the process is, not whether its database answers, so the
probe keeps one connection apart from the pool, made again after any failure.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg

# How the probe's connection shows in pg_stat_activity: an idle connection an operator would
# otherwise wonder about.
APPLICATION_NAME = "vendorwatch /healthz"


class DatabaseProbe:
    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._connection: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()  # one probe at a time on the one connection

    async def select_one(self) -> None:
        """Raises unless PostgreSQL answers; the caller bounds the wait (`unreachable`)."""
        async with self._lock:
            try:
                if self._connection is None or self._connection.is_closed():
                    self._connection = await asyncpg.connect(
                        self._url, server_settings={"application_name": APPLICATION_NAME}
                    )
                await self._connection.fetchval("SELECT 1")
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
