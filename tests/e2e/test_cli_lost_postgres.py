"""One-off commands that lose PostgreSQL partway (an operator's `pg_ctl stop -m immediate`,
a crash, the `up` serving it stopped): one `Error:` line saying PostgreSQL was lost, where
(without a password) and how far the command got, exit 1; not a traceback of 85 to 254
lines, nor one hiding the lost connection behind another error of ours."""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from services.cli.publishing import BATCH_LINES
from services.platform.postgres.database import open_pool, redacted
from tests.support.notice_before_close import NoticeBeforeClose, notice_before_close
from tests.support.postgres import count_now
from tests.support.postgres_outage import StoppablePostgres
from tests.support.processes import VENDORWATCH
from tests.support.worldbank_csv import HEADER

pytestmark = [pytest.mark.postgres]

FIRMS = 40_000


async def _migrated(server: StoppablePostgres) -> str:
    """A new database of the server's, this version's schema in it."""
    url = await server.database()
    await (await open_pool(url)).close()
    return url


def _one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    [line] = [line for line in stderr.splitlines() if line.startswith("Error:")]
    return line


def _list(path: Path) -> Path:
    rows = (f"Firm {n:06d} Ltd,,1 Street,Kenya,2024-01-10,2030-01-09,Fraud\n" for n in range(FIRMS))
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


_EVENTS = "SELECT count(*) FROM event_store"


def _import_stopped(
    server: StoppablePostgres,
    database_url: str,
    listed: Path,
    stop: Callable[[subprocess.Popen[str]], None],
    reached_at: str | None = None,
) -> tuple[int, str]:
    """An import of `listed` into `database_url` (reached at `reached_at`, else at it),
    PostgreSQL stopped by `stop` (given the import's process) once its first batches are
    recorded, and started again after; the import's exit code and stderr."""
    command = [*VENDORWATCH, "import", "worldbank", str(listed)]
    importing = subprocess.Popen(
        [*command, "--database-url", reached_at or database_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not count_now(database_url, _EVENTS):
            assert importing.poll() is None, importing.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        stop(importing)
        _, stderr = importing.communicate(timeout=60)
    finally:
        importing.kill()
        server.start()
    return importing.returncode, stderr


def test_an_import_that_loses_postgresql_says_what_it_recorded(
    server: StoppablePostgres, tmp_path: Path
) -> None:
    database_url = asyncio.run(_migrated(server))
    returncode, stderr = _import_stopped(
        server, database_url, _list(tmp_path / "wb.csv"), lambda _: server.stop_immediately()
    )
    assert returncode == 1, stderr
    line = _one_error_line(stderr)
    recorded = count_now(database_url, _EVENTS)
    assert 0 < recorded < FIRMS, recorded
    shown = redacted(database_url)
    assert line.startswith(f"Error: lost PostgreSQL at {shown} partway through the import: "), line
    # What it confirmed, and perhaps the batch under way (its commit may land as the
    # connection goes: a CI run stored 1,500 where 1,000 were confirmed).
    said = re.search(r": ([\d,]+) events recorded \(the file's first ", line)
    assert said is not None, line
    confirmed = int(said.group(1).replace(",", ""))
    assert confirmed <= recorded <= confirmed + BATCH_LINES, (confirmed, recorded)
    assert f"perhaps the batch under way too (up to {BATCH_LINES} events" in line, line
    assert "the rest not, nor the import's report" in line, line


def test_an_import_whose_postgresql_is_stopped_says_it_lost_it(
    server: StoppablePostgres, tmp_path: Path
) -> None:
    """`up` SIGTERMed stops its embedded PostgreSQL fast, as `pg_ctl stop` does: every
    connection is sent its termination notice, then closed. Read apart from the close on a
    connection with no statement under way, the notice broke asyncpg's protocol, and the
    import's next statement ended it with a traceback of asyncpg's `InternalClientError:
    cannot switch to state 15` (one import in three to ten, by where the stop landed). Here
    the stop lands there every time: the answer to a batch's commit held back until
    PostgreSQL is stopped, then handed over with the notice, the close kept back
    (notice_before_close.py): the next statement on the connection, the pool's reset of it,
    meets the broken protocol."""
    database_url = asyncio.run(_migrated(server))
    with notice_before_close(database_url) as forwarder:

        def stop(importing: subprocess.Popen[str]) -> None:
            _hold_at_a_commit(forwarder, importing)
            server.stop_fast()
            forwarder.hand_over_stopped()

        returncode, stderr = _import_stopped(
            server, database_url, _list(tmp_path / "wb.csv"), stop, reached_at=forwarder.url
        )
    assert returncode == 1, stderr
    line = _one_error_line(stderr)
    shown = redacted(forwarder.url)
    assert line.startswith(f"Error: lost PostgreSQL at {shown} partway through the import: "), line


def _hold_at_a_commit(forwarder: NoticeBeforeClose, importing: subprocess.Popen[str]) -> None:
    """Until the import waits for an answer that leaves it out of a transaction (a batch's
    commit's, or the pool's reset of the connection after it): PostgreSQL's answers held
    back, and let through again while the one held leaves it within one (a statement under
    way when the notice is read fails by the notice, an outage's type)."""
    deadline = time.monotonic() + 60
    while True:
        forwarder.hold()
        while (status := forwarder.held_status()) is None:
            assert importing.poll() is None, importing.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        if status == "I":
            return
        forwarder.let_through()


async def _rebuild_lost_at(
    database_url: str, table: str, lose: Callable[[asyncpg.Connection], Awaitable[None]]
) -> subprocess.CompletedProcess[str]:
    """`rebuild all` of `database_url`, held where it empties `table` (a reader holding a lock
    on it), then PostgreSQL lost under it by `lose`, given the reader's connection; the
    rebuild's exit code and output."""
    holder = await asyncpg.connect(database_url)
    rebuild = await asyncio.create_subprocess_exec(
        *VENDORWATCH,
        "rebuild",
        "all",
        "--database-url",
        database_url,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        async with holder.transaction():
            await holder.execute(f"LOCK TABLE {table} IN SHARE MODE")
            for _ in range(600):  # until the rebuild waits on the lock
                waiting = await holder.fetchval(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = $1::regclass",
                    table,
                )
                if waiting:
                    break
                assert rebuild.returncode is None
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"the rebuild never reached {table}")
            await lose(holder)
    except (asyncpg.PostgresConnectionError, ConnectionError, asyncpg.InterfaceError):
        pass  # the holder's own connection went with PostgreSQL
    finally:
        holder.terminate()
    stdout, stderr = await asyncio.wait_for(rebuild.communicate(), 60)
    return subprocess.CompletedProcess(
        [], rebuild.returncode or 0, stdout.decode(), stderr.decode()
    )


def _nothing_committed(database_url: str) -> str:
    return (
        f"Error: lost PostgreSQL at {redacted(database_url)} partway through the rebuild:"
        " nothing was committed, every projection is as it was; rebuild again"
    )


def test_a_rebuild_that_loses_postgresql_commits_nothing_and_says_so(
    server: StoppablePostgres,
) -> None:
    """The rebuild stopped where it empties the registry's tables (a reader holding a lock
    on one), then PostgreSQL stopped: its transaction's connection lost, the pool took it
    back, and one_transaction asked the proxy lent whether it was closed (InterfaceError,
    254 lines with the ExceptionGroups)."""
    database_url = asyncio.run(_migrated(server))

    async def stop(_: asyncpg.Connection) -> None:
        server.stop_immediately()

    try:
        result = asyncio.run(_rebuild_lost_at(database_url, "registry_vendors", stop))
    finally:
        server.start()
    assert result.returncode == 1, result.stderr
    line = _one_error_line(result.stderr)
    assert line == _nothing_committed(database_url), result.stderr
    assert "is_closed" not in result.stderr


def test_a_rebuild_that_loses_postgresql_says_so_in_its_one_line_alone(
    server: StoppablePostgres,
) -> None:
    """A rebuild is one-off: it tries nothing again, and its `Error:` line says what it lost
    and what to do. Its pools' tasks restoring their floors of connections said before it, in
    asyncpg's words, "Failed to restore the pool connection floor; retrying" (3 such WARNINGs
    in an operator's run), which was not true of it. Here PostgreSQL is shutting down (new
    connections refused) and ends the rebuild's idle connection first (its main pool's), so
    that its pool tries to restore its floor, at once and a second later, while the rebuild
    still waits where it empties the migration's tables; then its other sessions."""
    database_url = asyncio.run(_migrated(server))

    async def shut_down(holder: asyncpg.Connection) -> None:
        server.begin_smart_stop()
        ended = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        ended += " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        assert await holder.fetchval(f"{ended} AND state = 'idle'") >= 1
        await asyncio.sleep(1.5)
        assert await holder.fetchval(ended) >= 3  # the transactions of the rebuild's stages

    result = asyncio.run(_rebuild_lost_at(database_url, "migration_items", shut_down))
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [_nothing_committed(database_url)], result.stderr
