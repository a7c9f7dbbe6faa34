"""A process that dates by the registry's day refuses to start beside running processes of the
same database that date by another time zone (`running_settings.same_zone`), on a real
PostgreSQL: a risk worker started with VENDORWATCH_TIMEZONE=UTC beside Asia/Tokyo ones joined
their group and scored with no word said, until a rebuild refused to run beside it. The
running process says its settings as `up` does (its rebuilds job)."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from services.platform.consuming.running_settings import same_zone, zone_used
from services.platform.settings import Settings
from tests.integration.test_rebuild_running_settings import up_running
from tests.support.processes import free_port, run_cli

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("command", ["worker", "up"])
async def test_a_process_in_another_time_zone_than_the_running_ones_refuses_to_start(
    pool: asyncpg.Pool, database_url: str, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    tokyo = Settings(database_url=database_url, timezone=ZoneInfo("Asia/Tokyo"))
    args = {
        # Refused once PostgreSQL is reached, before Kafka (no broker at this port) is waited for.
        "worker": ["worker", "risk", "--kafka", f"127.0.0.1:{free_port()}"],
        "up": ["up", "--port", str(free_port())],
    }[command]
    monkeypatch.setenv("VENDORWATCH_TIMEZONE", "UTC")
    async with up_running(pool, tokyo) as running:
        done = await asyncio.to_thread(run_cli, *args, "--database-url", database_url, timeout=45)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert (
        f"Error: the processes running on this database date by another time zone ({running}"
        " in Asia/Tokyo) than this process's VENDORWATCH_TIMEZONE, UTC: its days and scores"
        " would differ from theirs. Start it with theirs, or stop every process and start"
        " them all with the new one"
    ) in done.stderr, done.stderr
    assert await pool.fetchval("SELECT count(*) FROM processed_events") == 0


async def test_the_same_zone_or_none_is_no_refusal(pool: asyncpg.Pool, database_url: str) -> None:
    tokyo = Settings(database_url=database_url, timezone=ZoneInfo("Asia/Tokyo"))
    async with up_running(pool, tokyo):
        await same_zone(pool, zone_used(tokyo))
        await same_zone(pool, {})  # ingest dates nothing
