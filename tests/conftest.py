"""Shared fixtures: a real PostgreSQL (clean database per test) and a real Kafka broker."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from services.platform.postgres.database import open_pool
from tests.support.kafka_broker import kafka_bootstrap_servers
from tests.support.postgres import TestDatabases, running_pgserver


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Temporary directories under a fresh directory of this run rather than pytest's own
    private root: the embedded PostgreSQL runs as another user and opens the folders above
    its data dir for it to traverse, and with parallel workers (pytest-xdist) each worker's
    pytest closes its private root again (0700) under the others' running servers."""
    if config.option.basetemp is None and not hasattr(config, "workerinput"):
        base = tempfile.mkdtemp(prefix="vwtests-")
        config.option.basetemp = base
        config.add_cleanup(lambda: shutil.rmtree(base, ignore_errors=True))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked `long` first, then the end-to-end tests: they are the longest
    (minutes, real processes), and parallel workers finish together when the longest start
    first. `./scripts/test` schedules with pytest-xdist's `worksteal`: each worker is given
    half of this order, and a worker that runs out takes the not yet started half of the
    other's queue, so the short tests at the end even the two out. (`load` hands out
    consecutive chunks: the first worker was given every long and end-to-end test in its
    first chunk, and kept them all.)"""
    items.sort(  # stable: else as collected
        key=lambda item: (item.get_closest_marker("long") is None, "/e2e/" not in f"/{item.nodeid}")
    )


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    configured = os.environ.get("DATABASE_URL")
    if configured:
        yield configured
        return
    # Short path: PostgreSQL's unix socket lives in the data dir and paths are capped at 107.
    with (
        tempfile.TemporaryDirectory(prefix="vwpg-") as data_dir,
        running_pgserver(Path(data_dir)) as url,
    ):
        yield url


@pytest.fixture(scope="session")
async def test_databases(postgres_admin_url: str) -> AsyncIterator[TestDatabases]:
    databases = TestDatabases(postgres_admin_url)
    await databases.prepare()
    yield databases
    await databases.close()


@pytest.fixture
async def database_url(test_databases: TestDatabases) -> AsyncIterator[str]:
    """A freshly migrated, empty database of its own for each test."""
    async with test_databases.fresh() as url:
        yield url


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database_url)
    yield pool
    await pool.close()


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """A real Apache Kafka: `KAFKA_BOOTSTRAP_SERVERS`, or a KRaft broker from Maven artifacts.

    Never skipped: without Java and Maven the tests that need it fail, saying why.
    """
    with kafka_bootstrap_servers() as bootstrap:
        yield bootstrap


@pytest.fixture
def root_logging() -> Iterator[None]:
    """configure_logging replaces the root logger's handlers: pytest's are put back."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
