"""A real PostgreSQL for tests: `DATABASE_URL` when given, else pgserver in a temp dir."""

from __future__ import annotations

import asyncio
import uuid
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # see services.platform.postgres.embedded_postgres
    from pgserver.postgres_server import get_server

from services.platform.postgres.database import open_pool


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


# A throwaway server needs no durability against a crash of the machine, so it does not wait
# for the disk at each commit and at each database created and dropped (one per test: ten
# drops took 3 to 10 s with fsync on a shared 2-core machine, under 1 s without). Nothing a
# test checks depends on it: a commit is visible to the other sessions as before, and the
# outage test, which takes PostgreSQL down, runs a server of its own (postgres_outage.py).
THROWAWAY_SETTINGS = """
ALTER SYSTEM SET fsync = off;
ALTER SYSTEM SET full_page_writes = off;
ALTER SYSTEM SET synchronous_commit = off;
SELECT pg_reload_conf();
"""


def count_now(database_url: str, sql: str, *args: object) -> int:
    """The count `sql` gives, asked on a connection of its own from a test's own thread (a
    test waiting for processes to apply something)."""

    async def count() -> int:
        conn = await asyncpg.connect(database_url)
        try:
            found: int = await conn.fetchval(sql, *args)
            return found
        finally:
            await conn.close()

    return asyncio.run(count())


@contextmanager
def running_pgserver(data_dir: Path) -> Iterator[str]:
    """A throwaway server in `data_dir` (`THROWAWAY_SETTINGS`), stopped and deleted on exit;
    yields its URL.

    Stopped here rather than by pgserver's own exit hook: that hook finds the server's
    handle list in its data directory, and a temporary directory removed first left the
    server running after the tests."""
    server = get_server(data_dir / "pg", cleanup_mode="delete")
    try:
        server.psql(THROWAWAY_SETTINGS)
        yield str(server.get_uri())
    finally:
        server.cleanup()


class TestDatabases:
    """Creates a migrated template once, then a fresh copy of it for every test."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.template = f"vw_template_{uuid.uuid4().hex[:8]}"

    async def prepare(self) -> None:
        await self._admin(f'CREATE DATABASE "{self.template}"')
        pool = await open_pool(with_database(self.admin_url, self.template))
        await pool.close()

    async def create(self, like: str | None = None) -> str:
        """A fresh migrated database; a copy of the one at `like` when given (no one may be
        connected to it)."""
        name = f"vw_test_{uuid.uuid4().hex[:12]}"
        template = urlsplit(like).path.lstrip("/") if like else self.template
        await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return with_database(self.admin_url, name)

    @asynccontextmanager
    async def fresh(self) -> AsyncIterator[str]:
        """A fresh migrated database for the block, dropped after it whatever happens."""
        url = await self.create()
        try:
            yield url
        finally:
            await self.drop(url)

    async def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def close(self) -> None:
        await self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()
