"""The child that walks the chains beside a rebuild (walk_beside.py) losing PostgreSQL: its
parent says so in one line (`rebuild`'s `Error: lost PostgreSQL …`, a loop's liveness). The
child, which configures no logging, printed asyncpg's "Failed to restore the pool connection
floor; retrying" with a 30-line traceback on the parent's stderr first, by Python's last
resort, where the one line belongs."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.eventstore.walk_beside import WalkFailed, walk_in_child
from services.platform.operations.outages import is_outage
from services.platform.postgres.database import open_pool
from tests.support import workload
from tests.support.postgres_outage import stoppable_postgres

pytestmark = pytest.mark.postgres

EVENTS = 20_000


async def test_a_walk_that_loses_postgresql_leaves_the_saying_to_its_parent(
    capfd: pytest.CaptureFixture[str],
) -> None:
    with stoppable_postgres() as server:
        url = await server.database()
        pool = await open_pool(url)
        try:
            raws = workload.build(EVENTS).raws
            for start in range(0, len(raws), 2_000):
                await ingest_batch(pool, raws[start : start + 2_000])
        finally:
            await pool.close()
        watcher = await asyncpg.connect(url)
        walking = asyncio.create_task(walk_in_child(url))
        try:
            for _ in range(400):  # until the child's walk is under way
                active = await watcher.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND state = 'active'"
                )
                if active:
                    break
                await asyncio.sleep(0.01)
            else:
                raise AssertionError("the child never walked")
        finally:
            watcher.terminate()
        server.stop_immediately()
        with pytest.raises(WalkFailed) as failed:
            await walking
        assert is_outage(failed.value), failed.value
        await asyncio.sleep(1.5)  # asyncpg's first retry of the floor comes after 1 s
    err = capfd.readouterr().err
    assert "Failed to restore the pool connection floor" not in err, err
    assert "Traceback" not in err, err
