"""What `vendorwatch rebuild` says: counts in their number ("1 event"), and what the replay
refused again in one line, not a warning per event that reads as a new problem."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from tests.support import case_b
from tests.support.live_consumers import applied_live
from tests.support.processes import run_cli
from tests.support.tampering import as_owner

pytestmark = pytest.mark.postgres


async def test_what_the_replay_refused_again_is_one_line(
    pool: asyncpg.Pool, database_url: str
) -> None:
    # A suspension of a vendor never registered: the registry refuses it, live and replayed.
    suspended = case_b.suspended()
    await ingest_batch(pool, [case_b.line(suspended)])
    await applied_live(pool, database_url)

    done = await asyncio.to_thread(run_cli, "rebuild", "registry", "--database-url", database_url)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["rebuilt registry from 1 event"]
    said = [json.loads(line)["message"] for line in done.stderr.splitlines()]
    assert len(said) == 1, said
    assert said[0].startswith("registry refused 1 event in the replay")
    assert "deadLetters" in said[0]
    assert suspended["event_id"] not in done.stderr


async def test_a_refused_rebuild_says_nothing_of_its_replay_s_refusals(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """The replay, done before the walk beside it, said "registry refused 1 event in the
    replay …" and then the rebuild was refused for the broken log: a warning of a replay
    that was never committed. Its refusals are said once the rebuild commits."""
    await ingest_batch(pool, [case_b.line(case_b.suspended())])  # refused: B unregistered
    await ingest_batch(pool, [case_b.line(case_b.another_vendor("vendor-o1"))])
    await applied_live(pool, database_url)
    await as_owner(
        pool,
        "UPDATE event_store SET envelope = jsonb_set(envelope, '{payload,legal_name}',"
        " '\"Edited Ltd\"') WHERE event_type = 'vendor.registered'",
    )

    done = await asyncio.to_thread(run_cli, "rebuild", "registry", "--database-url", database_url)

    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("Error: the event log is broken"), done.stderr
    assert "in the replay" not in done.stderr, done.stderr
