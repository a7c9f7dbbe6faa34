"""The embedded PostgreSQL of `vendorwatch up`: pgserver in a data dir that survives restarts.

`up` keeps it running (`kept_running`): the PostgreSQL it started, killed or stopped under
it, is started again on the same data dir. `up` waited for it for good before (/healthz 200
`degraded`, which no supervisor restarts on), while only `up` could start it again. One
that cannot be started again ends `up` with one line, for a supervisor to restart it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import time
import warnings
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path

import asyncpg
import psutil

with warnings.catch_warnings():
    # pgserver resolves a runtime dir at import and warns when XDG_RUNTIME_DIR is unset (as on
    # servers and in CI); it falls back to /tmp, which is fine for a socket directory.
    warnings.simplefilter("ignore")
    from pgserver.postgres_server import PostgresServer, get_server
    from pgserver.utils import DiskList

from services.platform.errors import StartupError
from services.platform.operations.outage_cause import explained_by

log = logging.getLogger(__name__)

DATABASE = "vendorwatch"
# pgserver's list of the processes using a data dir's server (pgserver/postgres_server.py).
HANDLE_PIDS = ".handle_pids.json"
# How often `up` looks whether its PostgreSQL still runs: a postmaster pid read and checked.
WATCH_SECONDS = 1.0
# How long a killed postmaster may stay a zombie before `up` gives up starting it again.
REAPED_SECONDS = 30.0
CANNOT_START_AGAIN = "the embedded PostgreSQL stopped and cannot be started again"
# How much of the end of its log is read for why a start failed: the lines that start wrote,
# not a log grown over months.
LOG_TAIL_BYTES = 64 * 1024
# PostgreSQL's log in its data dir, where pgserver's pg_ctl writes it (`PostgresServer.log`).
LOG = "log"
# Less room than this where its data dir is counts as a full disk: a start writes its pid
# file, WAL and a checkpoint.
ROOM_BYTES = 1024 * 1024
_SAID = re.compile(r"\b(?:FATAL|PANIC):\s+")
_NO_SPACE = "No space left on device"


def start(data_dir: Path) -> PostgresServer:
    """Starts (or joins, if another process already runs it) the server in `data_dir`.

    pgserver counts the processes using a data dir and stops PostgreSQL when the last exits.
    """
    data_dir = data_dir.expanduser().resolve()
    logged = _size(data_dir / LOG)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with PostgresServer._lock:  # the lock pgserver holds when it changes that list
            _forget_dead_users(data_dir)
        return get_server(data_dir, cleanup_mode="stop")
    except Exception as error:  # pgserver raises bare Exceptions from initdb/pg_ctl
        why = why_not_started(data_dir, logged) or error
        raise StartupError(f"cannot start the embedded PostgreSQL in {data_dir}: {why}") from error


def stop(server: PostgresServer) -> None:
    """Gives up this process's use of the server: pgserver stops PostgreSQL when no other
    process uses it (cleanup mode "stop" deletes nothing). Safe to call again at exit."""
    server.cleanup()


def _forget_dead_users(data_dir: Path) -> None:
    """Drops from pgserver's list of the server's users the processes that died without
    saying so (kill -9): while their pids stayed listed, no later user would ever stop it."""
    users = DiskList(data_dir / HANDLE_PIDS)
    listed = users.get()
    alive = [pid for pid in listed if _state(pid) == "running"]
    if alive != listed:
        users.put(alive)


def stopped(data_dir: Path) -> str | None:
    """Why the PostgreSQL of `data_dir` is not running, or None while its postmaster is (the
    pid its postmaster.pid names: PostgreSQL removes the file when it stops, a kill -9
    leaves it naming a process gone)."""
    try:
        pid = _postmaster_pid(data_dir)
    except FileNotFoundError:
        return "its postmaster.pid is gone"
    except OSError as error:
        return f"its postmaster.pid cannot be read: {error.strerror}"
    if pid is None or _state(pid) == "running":
        return None
    return f"its postmaster (pid {pid}) is gone"


def _postmaster_pid(data_dir: Path) -> int | None:
    """The pid postmaster.pid names; None while a postmaster starting writes it."""
    first_line = (data_dir / "postmaster.pid").read_text().partition("\n")[0].strip()
    return int(first_line) if first_line.isdigit() else None


def _state(pid: int) -> str:
    """The process's state: "running", "zombie" (ended, its parent has not reaped it yet:
    init, in a container, reaps in its own time) or "gone"."""
    try:
        if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            return "zombie"
    except psutil.NoSuchProcess:
        return "gone"
    except psutil.AccessDenied:
        pass  # someone else's process, alive
    return "running"


def _reaped(data_dir: Path) -> None:
    """Waits (REAPED_SECONDS at most) until the postmaster a kill left in postmaster.pid is no
    process at all. Its parent (init, in a container) reaps it in its own time; meanwhile
    pgserver takes the zombie for a running server, and PostgreSQL refuses to start over a
    lock file naming a process that exists."""
    deadline = time.monotonic() + REAPED_SECONDS
    try:
        pid = _postmaster_pid(data_dir)
    except OSError:
        return  # no pid to wait for: PostgreSQL says what it makes of the file
    while pid is not None and _state(pid) == "zombie":
        if time.monotonic() > deadline:
            raise StartupError(
                f"{CANNOT_START_AGAIN}: its postmaster (pid {pid}) has ended, but its"
                f" parent process has not reaped it in {REAPED_SECONDS:.0f} s"
            )
        time.sleep(0.05)


def restart(server: PostgresServer) -> None:
    """Starts again the PostgreSQL `server` started or joined, stopped under it, on the same
    data dir, as this process's: pgserver's list of its users still holds this process, so
    `stop` stops it. A stale postmaster.pid is PostgreSQL's to handle (it starts over one
    naming a process gone). A data dir no longer one is not made a new, empty database."""
    data_dir = server.pgdata
    if not (data_dir / "PG_VERSION").is_file():
        raise StartupError(
            f"{CANNOT_START_AGAIN}: {data_dir} holds no PostgreSQL data directory"
            " (PG_VERSION is missing)"
        )
    _reaped(data_dir)
    logged = _size(data_dir / LOG)
    try:
        with PostgresServer._lock:
            server.ensure_postgres_running()
    except Exception as error:  # pgserver raises bare Exceptions from pg_ctl
        why = why_not_started(data_dir, logged) or f"{error} (its log: {data_dir / LOG})"
        raise StartupError(f"{CANNOT_START_AGAIN}: {why}") from error


def why_not_started(data_dir: Path, logged: int) -> str | None:
    """Why the PostgreSQL of `data_dir` did not start, in one line: its disk full, and the
    last FATAL or PANIC line its log gained past `logged` (its size in bytes before the
    start); None when neither says anything. pg_ctl's failure ("Command '[…pg_ctl …start]'
    returned non-zero exit status 1") left the reason to PostgreSQL's log lines; on a full
    disk the log may not have room for it either."""
    log = data_dir / LOG
    said = _last_said(log, logged)
    room = _room(data_dir)
    if _NO_SPACE in (said or "") or (room is not None and room < ROOM_BYTES):
        cause = f": {said}" if said else ""
        free = f"{room:,} bytes free" if room is not None else "no room"
        return f"its disk is full ({free} for {data_dir}){cause}; try again once it has room"
    if said:
        return f"{said} (its log: {log})"
    return None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _last_said(log: Path, since: int) -> str | None:
    """The last FATAL or PANIC of the log's lines past byte `since` (its last LOG_TAIL_BYTES at
    most), from its level on (no time stamp, no pid); None when it wrote none."""
    try:
        with log.open("rb") as lines:
            end = lines.seek(0, os.SEEK_END)
            lines.seek(max(since, end - LOG_TAIL_BYTES) if since <= end else 0)
            text = lines.read().decode(errors="replace")
    except OSError:
        return None
    said = [line[m.start() :] for line in text.splitlines() if (m := _SAID.search(line))]
    return re.sub(r":\s+", ": ", said[-1].strip(), count=1) if said else None


def _room(data_dir: Path) -> int | None:
    """Bytes free for an unprivileged user (PostgreSQL) where `data_dir` is; None: unknown."""
    try:
        stats = os.statvfs(data_dir)
    except OSError:
        return None
    return stats.f_bavail * stats.f_frsize


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


@contextlib.asynccontextmanager
async def kept_running(data_dir: Path) -> AsyncIterator[tuple[str, Callable[[], None]]]:
    """`running`, and the PostgreSQL started again whenever it stops during the block (looked
    at every WATCH_SECONDS). Yields its URL and what stops that watch: the process stopping
    (a signal) calls it, so that a PostgreSQL stopped with it (the whole group signalled) is
    not started again meanwhile. One that cannot be started again ends the block with its
    StartupError; a failure meanwhile says that the PostgreSQL is being restarted."""
    server = await asyncio.to_thread(start, data_dir)
    body = asyncio.current_task()
    assert body is not None
    watching = [True]
    # Why it stopped, while it is being started again: its new postmaster.pid is written
    # before its socket is, and a connection meanwhile fails with FileNotFoundError.
    restarting: list[str] = []
    failed: list[BaseException] = []

    def ended(watch: asyncio.Task[None]) -> None:
        error = None if watch.cancelled() else watch.exception()
        if error is not None:
            failed.append(error)
            body.cancel()

    def stop_watching() -> None:
        watching.clear()

    watch = asyncio.create_task(
        _keep_running(server, watching, restarting), name="embedded PostgreSQL"
    )
    watch.add_done_callback(ended)
    try:
        url = await database_url(server)
        with explained_by(partial(_being_restarted, server.pgdata, watching, restarting)):
            yield url, stop_watching
    except asyncio.CancelledError:
        if not failed:
            raise
        body.uncancel()
        raise failed[0] from None
    finally:
        watch.cancel()
        # Waits for a start under way (it is not cancelled: `stop` then stops it).
        await asyncio.gather(watch, return_exceptions=True)
        await asyncio.to_thread(stop, server)


async def _keep_running(
    server: PostgresServer, watching: list[bool], restarting: list[str]
) -> None:
    while True:
        await asyncio.sleep(WATCH_SECONDS)
        why = stopped(server.pgdata)
        if why is None or not watching:
            continue
        log.warning("the embedded PostgreSQL stopped (%s); starting it again", why)
        restarting.append(why)
        starting = asyncio.ensure_future(asyncio.to_thread(restart, server))
        try:
            await asyncio.shield(starting)
        except asyncio.CancelledError:
            await asyncio.gather(starting, return_exceptions=True)
            raise
        finally:
            restarting.clear()
        log.info("the embedded PostgreSQL is running again")


def _being_restarted(data_dir: Path, watching: list[bool], restarting: list[str]) -> str | None:
    why = stopped(data_dir) or next(iter(restarting), None)
    if why is None:
        return None
    if not watching:  # `up` stopping
        return f"the embedded PostgreSQL stopped ({why})"
    return f"the embedded PostgreSQL stopped ({why}) and is being restarted"
