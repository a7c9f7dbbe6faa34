"""The asyncpg connection pool, opened with a clear error when PostgreSQL cannot be reached."""

from __future__ import annotations

import asyncpg

from services.platform.errors import StartupError
from services.platform.migrations import MigrationDrift, apply_migrations

# What handlers and repositories take (defined beside the pool's reset, which the migrations
# need too: they cannot import this module).
from services.platform.session_state import Connection as Connection
from services.platform.session_state import reset_if_needed

# asyncpg prepares every statement, and after five runs PostgreSQL may switch a prepared
# statement to a generic plan that ignores the values. Ours take arrays of 1 to 500 ids and
# read tables that grow while they run: the consumers' read of the log went from 30 ms to
# 0.5-0.9 s per batch on a generic plan. Planning each run costs about 0.1 ms.
SERVER_SETTINGS = {"plan_cache_mode": "force_custom_plan"}


def _redacted(url: str) -> str:
    """The URL without its password, safe to print."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}@{host}" if user else f"{scheme}://{host}"


async def open_pool(database_url: str, *, migrate: bool = True) -> asyncpg.Pool:
    """Opens the pool and, by default, brings the schema up to date before anyone uses it."""
    try:
        pool = await asyncpg.create_pool(
            database_url,
            min_size=1,
            max_size=10,
            timeout=10,
            server_settings=SERVER_SETTINGS,
            reset=reset_if_needed,
        )
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        raise StartupError(
            f"cannot reach PostgreSQL at {_redacted(database_url)}: {error}"
        ) from error
    if migrate:
        try:
            await apply_migrations(pool)
        except BaseException as error:
            await pool.close()
            if isinstance(error, MigrationDrift):
                raise StartupError(str(error)) from error
            raise
    return pool
