"""The embedded PostgreSQL of `vendorwatch up`: pgserver in a data dir that survives restarts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import warnings
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

with warnings.catch_warnings():
    # pgserver resolves a runtime dir at import and warns when XDG_RUNTIME_DIR is unset (as on
    # servers and in CI); it falls back to /tmp, which is fine for a socket directory.
    warnings.simplefilter("ignore")
    from pgserver.postgres_server import PostgresServer, get_server
    from pgserver.utils import DiskList

from services.platform.errors import StartupError

log = logging.getLogger(__name__)

DATABASE = "vendorwatch"
# pgserver's list of the processes using a data dir's server (pgserver/postgres_server.py).
HANDLE_PIDS = ".handle_pids.json"


def start(data_dir: Path) -> PostgresServer:
    """Starts (or joins, if another process already runs it) the server in `data_dir`.

    pgserver counts the processes using a data dir and stops PostgreSQL when the last exits.
    """
    data_dir = data_dir.expanduser().resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with PostgresServer._lock:  # the lock pgserver holds when it changes that list
            _forget_dead_users(data_dir)
        return get_server(data_dir, cleanup_mode="stop")
    except Exception as error:  # pgserver raises bare Exceptions from initdb/pg_ctl
        raise StartupError(
            f"cannot start the embedded PostgreSQL in {data_dir}: {error}"
        ) from error


def stop(server: PostgresServer) -> None:
    """Gives up this process's use of the server: pgserver stops PostgreSQL when no other
    process uses it (cleanup mode "stop" deletes nothing). Safe to call again at exit."""
    server.cleanup()


def _forget_dead_users(data_dir: Path) -> None:
    """Drops from pgserver's list of the server's users the processes that died without
    saying so (kill -9): while their pids stayed listed, no later user would ever stop it."""
    users = DiskList(data_dir / HANDLE_PIDS)
    listed = users.get()
    alive = [pid for pid in listed if _alive(pid)]
    if alive != listed:
        users.put(alive)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process, alive
    return True


async def database_url(server: PostgresServer) -> str:
    """The URL of VendorWatch's own database on the embedded server, created on first use."""
    conn = await asyncpg.connect(server.get_uri())
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{DATABASE}"')
            log.info("created database %s", DATABASE)
    finally:
        await conn.close()
    return str(server.get_uri(DATABASE))


@contextlib.asynccontextmanager
async def running(data_dir: Path) -> AsyncIterator[str]:
    """The URL of the embedded PostgreSQL in `data_dir`, started (or joined) for the block and
    stopped after it, unless another process still uses it."""
    server = await asyncio.to_thread(start, data_dir)
    try:
        yield await database_url(server)
    finally:
        await asyncio.to_thread(stop, server)
