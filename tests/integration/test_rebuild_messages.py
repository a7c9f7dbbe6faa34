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
