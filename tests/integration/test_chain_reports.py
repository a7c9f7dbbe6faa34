"""/healthz and /metrics report the latest verification of the event store's chains recorded
by anyone (the hourly walk, `vendorwatch verify`, a rebuild's check), read as they answer: a
process restarted onto an edited log reported the walk made before the edit for up to an
hour, whatever `verify` or a refused rebuild had found since."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from services.cli import rebuilding
from services.ingest.handlers import ingest_batch
from services.platform.consuming.rebuilding import BrokenChain
from services.platform.eventstore.chain_watch import ChainWatch
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.in_process_api import asgi_client
from tests.support.processes import run_cli
from tests.support.tampering import EDITED_SUSPENSION, as_owner

pytestmark = pytest.mark.postgres


async def _restarted_after_an_intact_walk(pool: asyncpg.Pool, database_url: str) -> ChainWatch:
    """A log walked intact by the hourly watch, then edited, and a process started since:
    within the interval, it walks nothing itself."""
    await ingest_batch(pool, [case_b.line(e) for e in (case_b.registered(), case_b.suspended())])
    walked = await ChainWatch(database_url).look(pool)
    assert walked is not None and walked.intact
    await as_owner(pool, EDITED_SUSPENSION)
    restarted = ChainWatch(database_url)
    looked = await restarted.look(pool)
    assert looked == walked
    return restarted


async def _reported(pool: asyncpg.Pool, chain: ChainWatch) -> tuple[int, dict[str, Any], str]:
    async with asgi_client(pool, chain=chain) as client:
        health = await client.get("/healthz")
        metrics = await client.get("/metrics")
    return health.status_code, health.json()["chain"], metrics.text


async def test_a_failed_verify_is_what_healthz_and_metrics_report(
    pool: asyncpg.Pool, database_url: str
) -> None:
    restarted = await _restarted_after_an_intact_walk(pool, database_url)

    done = await asyncio.to_thread(run_cli, "verify", "--database-url", database_url)
    assert done.returncode == 1, done.stderr

    status, chain, metrics = await _reported(pool, restarted)
    # A restart cannot mend history: still 200, the chain said broken with its first problem.
    assert status == 200
    assert chain["status"] == "broken" and chain["events"] == 2
    assert "content was changed after it was recorded" in chain["first_problem"]
    assert "\nvendorwatch_chain_problems 1.0\n" in metrics
    assert "\nvendorwatch_chain_checked_timestamp_seconds " in metrics


async def test_a_rebuild_refused_for_a_broken_chain_is_what_healthz_reports(
    pool: asyncpg.Pool, database_url: str
) -> None:
    restarted = await _restarted_after_an_intact_walk(pool, database_url)

    with pytest.raises(BrokenChain):
        await rebuilding.rebuild(Settings(database_url=database_url), ["registry"], force=False)

    status, chain, _ = await _reported(pool, restarted)
    assert status == 200 and chain["status"] == "broken"
    assert "content was changed after it was recorded" in chain["first_problem"]


async def test_an_inserted_row_is_dated_now_and_one_dated_later_stops_no_walk(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """One row inserted by hand, dated 2099, was the latest walk for /healthz and kept the
    hourly watch from ever walking again (its age never reached the interval)."""
    await ingest_batch(pool, [case_b.line(e) for e in (case_b.registered(), case_b.suspended())])
    forged = """INSERT INTO chain_verifications (checked_at, events, intact, problems)
                VALUES ('2099-01-01', 99, true, '{}') RETURNING checked_at <= now()"""
    assert await pool.fetchval(forged)  # dated by the database
    async with pool.acquire() as conn, conn.transaction():
        # Past the trigger, as the database's owner can.
        await conn.execute("SET LOCAL session_replication_role = replica")
        assert not await conn.fetchval(forged)

    looked = await ChainWatch(database_url).look(pool)

    assert looked is not None and looked.intact and looked.events == 2
    assert await pool.fetchval("SELECT count(*) FROM chain_verifications") == 3
    status, chain, _ = await _reported(pool, ChainWatch(database_url))
    assert status == 200 and chain["events"] == 2


async def test_a_row_saying_intact_of_heads_the_chain_does_not_hold_is_named(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """A walk's row carries the heads it saw: one inserted by hand saying intact, with heads
    the log does not hold, is named by every walk after it."""
    await ingest_batch(pool, [case_b.line(e) for e in (case_b.registered(), case_b.suspended())])
    await pool.execute(
        """INSERT INTO chain_verifications (events, intact, problems, head_seqs, head_hashes)
           VALUES (2, true, '{}', '{0,0,7,0,0,0}', array_fill(repeat('a', 64), '{6}'))"""
    )

    done = await asyncio.to_thread(run_cli, "verify", "--database-url", database_url)

    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith(
        "broken: partition 2: events were removed or rewritten since the walk of "
    )
    assert done.stderr.splitlines()[-1].endswith(
        " (unless its row was inserted by hand): its head was seq 7 with chain hash"
        f" {'a' * 64}, and the log holds no event at seq 7"
    )
