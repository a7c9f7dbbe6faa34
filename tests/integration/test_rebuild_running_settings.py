"""A rebuild under other suspension policies (or risk model, or time zone) than the running
processes judge with is refused, naming the process, unless told: replayed so, the log was
judged one way and the events to come another, and the next rebuild found verdicts changed
again. Each running process says what it uses for as long as its kept connection lasts."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from services.cli import rebuilding
from services.cli.consumers import services_use
from services.ingest.handlers import ingest_batch
from services.platform.consuming.rebuilt_notices import forget_when_rebuilt
from services.platform.consuming.running_settings import Running, running, this_process
from services.platform.eventlog.embedded import EmbeddedEventLog, drain
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from services.risk import setup as risk_setup
from tests.integration.test_rebuild_verdicts import lenient_policies
from tests.support import case_b

pytestmark = pytest.mark.postgres

_VERDICTS = "SELECT event_id, refused FROM processed_events WHERE consumer = 'registry'"
_WITHIN_SECONDS = 5.0


async def _processes(pool: asyncpg.Pool) -> list[Running]:
    async with pool.acquire() as conn:
        return await running(conn)


async def until_running(pool: asyncpg.Pool, count: int) -> list[Running]:
    deadline = asyncio.get_running_loop().time() + _WITHIN_SECONDS
    while len(found := await _processes(pool)) != count:
        assert asyncio.get_running_loop().time() < deadline, found
        await asyncio.sleep(0.05)
    return found


@contextlib.asynccontextmanager
async def up_running(
    pool: asyncpg.Pool, settings: Settings, what: str = "vendorwatch up"
) -> AsyncIterator[str]:
    """A process running every service with `settings`, as `up` says it (its rebuilds job);
    `what`: the command it says it is (the API says the same), beside those running already."""
    process = this_process(what)
    used = services_use(settings, registry_setup.policies(settings), risk_setup.service(settings))
    others = len(await _processes(pool))
    task = asyncio.create_task(forget_when_rebuilt(pool, process, used))
    try:
        await until_running(pool, others + 1)
        yield process
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_rebuild_under_other_policies_than_the_running_processes_is_refused(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path
) -> None:
    packaged = Settings(database_url=database_url)
    lenient = Settings(database_url=database_url, policy_dir=lenient_policies(tmp_path))
    long = case_b.suspended(duration_months=24)  # beyond the packaged policy, not the lenient
    await EmbeddedEventLog(pool, ingest_batch).submit(
        [case_b.line(e) for e in (case_b.registered(), long)]
    )
    await drain(pool, registry_setup.consumer(packaged, registry_setup.policies(packaged)))
    before = await pool.fetch(_VERDICTS)

    async with up_running(pool, packaged) as process:
        # The policy file changed, and only the rebuild told: refused, naming who differs.
        with pytest.raises(rebuilding.SettingsDiffer) as refused:
            await rebuilding.rebuild(lenient, list(rebuilding.PROJECTIONS), force=False)
        said = str(refused.value)
        assert f"{process} uses suspension policies example-1:" in said
        assert "restart every process with the new settings first, then rebuild all" in said
        assert "--policy-changed" in said and "Nothing was changed" in said
        assert await pool.fetch(_VERDICTS) == before
        # Risk and migration replay under no policy: the same settings otherwise, so done.
        await rebuilding.rebuild(lenient, ["risk", "migration"], force=False)
        # Rebuilt under the running process's own settings: done.
        await rebuilding.rebuild(packaged, list(rebuilding.PROJECTIONS), force=False)
        # Told the policy changed: rebuilt under the new one.
        rebuilt = await rebuilding.rebuild(
            lenient, list(rebuilding.PROJECTIONS), force=False, policy_changed=True
        )
        assert rebuilt.verdicts_changed is not None and rebuilt.verdicts_changed.count == 1

    # Stopped, it says nothing more; restarted with the new policy, it agrees.
    assert await _processes(pool) == []
    async with up_running(pool, lenient):
        await rebuilding.rebuild(lenient, list(rebuilding.PROJECTIONS), force=False)
        with pytest.raises(rebuilding.SettingsDiffer):
            await rebuilding.rebuild(packaged, ["registry"], force=False)


async def test_a_process_that_lost_its_connection_says_again_what_it_uses(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """Its row stands while its kept connection's lock is held: cut off, it counts no more
    (a process killed outright leaves it so), and it writes it again once reconnected."""
    settings = Settings(database_url=database_url)
    async with up_running(pool, settings) as process:
        first = await pool.fetchval("SELECT lock_key FROM running_settings")
        killed = await pool.fetchval(
            """SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1
               AND classid::bigint = $1::bigint >> 32
               AND objid::bigint = $1::bigint & 4294967295""",
            first,
        )
        assert await pool.fetchval("SELECT pg_terminate_backend($1)", killed)
        deadline = asyncio.get_running_loop().time() + _WITHIN_SECONDS
        # Written again under a new key, the row of the lost connection removed.
        while await pool.fetchval("SELECT array_agg(lock_key) FROM running_settings") == [first]:
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.05)
        assert [p.process for p in await until_running(pool, 1)] == [process]
        assert await pool.fetchval("SELECT count(*) FROM running_settings") == 1
