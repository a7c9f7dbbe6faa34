"""A long-running process's pools through a PostgreSQL outage (`pg_ctl stop -m immediate`):
asyncpg's "Failed to restore the pool connection floor; retrying" came after 1 s, 2 s, 4 s …
for the whole outage, and nothing when it was over. An operator reads one line where the
outage starts, and one where it ends, saying how long it lasted at most (pool_floor.py). A pool
that said an outage and closed before PostgreSQL came back leaves nothing for another pool to
say over."""

from __future__ import annotations

import asyncio
import json
import re
import time

import asyncpg
import pytest

from services.platform.operations.logs import configure_logging
from services.platform.postgres.database import open_pool
from tests.support.postgres_outage import stoppable_postgres

pytestmark = pytest.mark.postgres

# Long enough for asyncpg's pool to fail to restore its floor three times (at once, after 1 s
# and after 3 s), and once more from a second pool.
DOWN_SECONDS = 4.0


async def _answers(pool: asyncpg.Pool) -> None:
    """Until the pool answers again (its lost connection replaced by a new one)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            await pool.fetchval("SELECT 1")
            return
        except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError):
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)


async def test_an_outage_is_said_once_where_it_starts_and_once_where_it_ends(
    capsys: pytest.CaptureFixture[str], root_logging: None
) -> None:
    configure_logging("info", "json")
    with stoppable_postgres() as server:
        database_url = await server.database()
        pools = [await open_pool(database_url, migrate=False) for _ in range(2)]
        try:
            for pool in pools:
                await pool.fetchval("SELECT 1")
            server.stop_immediately()
            await asyncio.sleep(DOWN_SECONDS)
            server.start()
            for pool in pools:
                await _answers(pool)
        finally:
            for pool in pools:
                pool.terminate()
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    said = [(line["level"], line["message"]) for line in logged]
    assert len(said) == 2, said
    (start_level, start), (end_level, end) = said
    assert start_level == "WARNING" and start.startswith(
        "PostgreSQL is out of reach: the connection pool cannot restore its connections ("
    ), said
    assert start.endswith("); trying again until it is back, said once it is"), said
    assert "exc_info" not in logged[0]  # a traceback of asyncpg's: nothing to debug
    assert end_level == "INFO", said
    lasted = re.fullmatch(
        r"PostgreSQL is reached again: the connection pool connects ([\d.]+) s after it first"
        r" failed to \(out of reach at most that long since; it tries again up to a minute"
        r" apart\)",
        end,
    )
    assert lasted is not None, end
    assert float(lasted.group(1)) >= DOWN_SECONDS, end


def _said(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The messages logged since last asked."""
    return [json.loads(line)["message"] for line in capsys.readouterr().err.splitlines()]


async def test_an_outage_its_closed_pool_said_is_not_said_over_by_another(
    capsys: pytest.CaptureFixture[str], root_logging: None
) -> None:
    configure_logging("info", "json")
    with stoppable_postgres() as server:
        database_url = await server.database()
        first = await open_pool(database_url, migrate=False)
        try:
            await first.fetchval("SELECT 1")
            server.stop_immediately()
            deadline = time.monotonic() + 30
            said = _said(capsys)
            while not any(m.startswith("PostgreSQL is out of reach") for m in said):
                assert time.monotonic() < deadline, said
                await asyncio.sleep(0.1)
                said += _said(capsys)
        finally:
            first.terminate()  # a process stopping its pool mid-outage
        await asyncio.sleep(0)  # its task's end handled
        server.start()
        # A pool opened afterwards never met the outage: its first connection says nothing
        # of one; and the next outage is said again.
        second = await open_pool(database_url, migrate=False)
        try:
            await second.fetchval("SELECT 1")
            assert _said(capsys) == []
            server.stop_immediately()
            deadline = time.monotonic() + 30
            said = []
            while not said:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.1)
                said = _said(capsys)
            assert said[0].startswith("PostgreSQL is out of reach"), said
        finally:
            second.terminate()
