"""A PostgreSQL of a test's own that it can take down and bring back, as an operator's
`pg_ctl stop -m immediate` (or a crash, or a failover) would, on the same socket and data."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from tests.support.postgres import with_database

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # see services.platform.postgres.embedded_postgres
    from pgserver._commands import POSTGRES_BIN_PATH
    from pgserver.postgres_server import PostgresServer, get_server


class StoppablePostgres:
    """pgserver in `data_dir` (deleted when the test process exits)."""

    def __init__(self, data_dir: Path) -> None:
        self._server: PostgresServer = get_server(data_dir, cleanup_mode="delete")

    def url(self, database: str = "postgres") -> str:
        return str(self._server.get_uri(database))

    async def database(self, name: str = "vendorwatch") -> str:
        """The URL of a new database of this server."""
        conn = await asyncpg.connect(self.url())
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return with_database(self.url(), name)

    async def login_with_password(self, role: str, password: str, database: str) -> str:
        """A role that logs in to `database` with `password` only (scram-sha-256; pgserver
        trusts every other login); the URL of its login with that password."""
        conn = await asyncpg.connect(self.url())
        try:
            await conn.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
            hba = Path(self._server.pgdata) / "pg_hba.conf"
            # The first line that matches a connection decides how it logs in.
            hba.write_text(f"local all {role} scram-sha-256\n{hba.read_text()}")
            await conn.execute("SELECT pg_reload_conf()")
        finally:
            await conn.close()
        parts = urlsplit(with_database(self.url(), database))
        return urlunsplit(parts._replace(netloc=f"{role}:{password}@{parts.hostname or ''}"))

    def stop_immediately(self) -> None:
        """Every backend killed at once, no checkpoint: clients see their connections drop
        and new ones refused until `start`."""
        self._stop("immediate")

    def stop_fast(self) -> None:
        """As `vendorwatch up` stops its embedded PostgreSQL (pgserver's `pg_ctl stop`): every
        connection sent its termination notice (57P01), then closed; a checkpoint."""
        self._stop("fast")

    def begin_smart_stop(self) -> None:
        """A smart stop begun, not waited for: new connections refused ("the database system
        is shutting down", 57P03), the sessions open kept until they end (or are ended:
        `pg_terminate_backend`, 57P01 on each); PostgreSQL down once the last one has."""
        pg_ctl_stop(self._server.pgdata, "smart", wait=False)

    def _stop(self, mode: str) -> None:
        pg_ctl_stop(self._server.pgdata, mode)

    def start(self) -> None:
        """Starts it again where it was (crash recovery first), waiting until it accepts."""
        self._server.ensure_postgres_running()


def pg_ctl_stop(data_dir: Path, mode: str, *, wait: bool = True) -> None:
    """`pg_ctl stop -m mode` of the PostgreSQL in `data_dir`, as the user owning it (pgserver's
    own when the tests run as root: pg_ctl refuses root); `wait`: until it is down."""
    pg_ctl = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(data_dir)]
    subprocess.run(
        [*pg_ctl, "-m", mode, "-w" if wait else "-W", "stop"],
        user=data_dir.owner() if os.geteuid() == 0 else None,
        check=True,
        capture_output=True,
        timeout=30,
    )


@contextlib.contextmanager
def stoppable_postgres() -> Iterator[StoppablePostgres]:
    """A StoppablePostgres for the block, down at its end whatever state it was left in."""
    # A short path: PostgreSQL's unix socket lives in the data dir, and paths are capped.
    with tempfile.TemporaryDirectory(prefix="vwpg-") as data_dir:
        started = StoppablePostgres(Path(data_dir))
        try:
            yield started
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):  # already down: fine
                started.stop_immediately()
