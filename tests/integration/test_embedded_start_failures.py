"""Why `up`'s embedded PostgreSQL could not be started again, in its one line, from a real
PostgreSQL that fails to start: `up` ended with "Command '[…pg_ctl …start]' returned non-zero
exit status 1.", the reason (a full disk) only in PostgreSQL's own log lines."""

from __future__ import annotations

import contextlib
import errno
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pgserver.postgres_server import PostgresServer

from services.platform.errors import StartupError
from services.platform.postgres import embedded_postgres
from services.platform.postgres.embedded_postgres import CANNOT_START_AGAIN
from tests.support.postgres_outage import pg_ctl_stop

pytestmark = pytest.mark.postgres

# Room for a fresh cluster (about 40 MB) and its start, on a file system of its own.
TMPFS_SIZE = "128m"


@contextlib.contextmanager
def stopped_server(data_dir: Path) -> Iterator[PostgresServer]:
    """The embedded PostgreSQL of `data_dir`, started as `up` starts it, then stopped under
    this process (as an operator's `pg_ctl stop`); given up at the end of the block."""
    server = embedded_postgres.start(data_dir)
    try:
        pg_ctl_stop(server.pgdata, "fast")
        yield server
    finally:
        embedded_postgres.stop(server)


def refused_configuration(data_dir: Path) -> Path:
    """A setting PostgreSQL refuses to start with, written into the data dir's configuration
    file (which it returns)."""
    conf = data_dir / "postgresql.conf"
    conf.write_text(conf.read_text() + "\nshared_buffers = 'plenty'\n")
    return conf


def test_a_postgresql_that_will_not_start_again_is_said_by_its_log(tmp_path: Path) -> None:
    with stopped_server(tmp_path / "data") as server:
        conf = refused_configuration(server.pgdata)
        with pytest.raises(StartupError) as refused:
            embedded_postgres.restart(server)
    assert str(refused.value) == (
        f'{CANNOT_START_AGAIN}: FATAL: configuration file "{conf}" contains errors'
        f" (its log: {server.pgdata / 'log'})"
    )


def test_a_postgresql_that_will_not_start_is_said_by_its_log(tmp_path: Path) -> None:
    """The same at `up`'s start (and a one-off command's on a data dir)."""
    data_dir = (tmp_path / "data").resolve()
    with stopped_server(data_dir):
        pass
    conf = refused_configuration(data_dir)
    with pytest.raises(StartupError) as refused:
        embedded_postgres.start(data_dir)
    assert str(refused.value) == (
        f"cannot start the embedded PostgreSQL in {data_dir}: FATAL: configuration file"
        f' "{conf}" contains errors (its log: {data_dir / "log"})'
    )


@contextlib.contextmanager
def small_file_system(where: Path) -> Iterator[Path]:
    """A tmpfs of TMPFS_SIZE mounted at `where` for the block (root only)."""
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE},mode=0755", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:  # a test that cannot run fails, it is not skipped as a pass
        pytest.fail(
            f"cannot mount a tmpfs at {where} ({mounted.stderr.strip()}): this test fills a"
            " real file system, which takes root (as ./scripts/test runs in CI)"
        )
    try:
        yield where
    finally:
        subprocess.run(["umount", "--lazy", str(where)], check=True)


def fill(directory: Path) -> None:
    """Writes a file in `directory` until its file system has no room left."""
    chunk = 1024 * 1024
    with (directory / "filler").open("wb", buffering=0) as filler:
        while chunk:
            try:
                filler.write(b"\0" * chunk)
            except OSError as full:
                assert full.errno == errno.ENOSPC, full
                chunk //= 2


def test_a_full_disk_is_said_as_the_reason(tmp_path: Path) -> None:
    with small_file_system(tmp_path / "disk") as disk:
        data_dir = disk / "data"
        with stopped_server(data_dir) as server:
            fill(disk)
            try:
                with pytest.raises(StartupError) as refused:
                    embedded_postgres.restart(server)
            finally:
                (disk / "filler").unlink()
    said = str(refused.value)
    assert said.startswith(f"{CANNOT_START_AGAIN}: its disk is full (0 bytes free for {data_dir})")
    assert said.endswith("; try again once it has room"), said
    assert "pg_ctl" not in said and "exit status" not in said
