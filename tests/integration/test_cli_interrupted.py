"""A one-off command stopped before it finished says so and exits 128 + the signal's number,
on a real PostgreSQL: an interrupted `verify`, `publish` or `rebuild` exited 0 and printed
nothing, which the job that ran it read as "intact" or "done" (an auditor's finding)."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time

import asyncpg
import pytest

from tests.support.event_examples import example

pytestmark = pytest.mark.postgres


def _connected(database_url: str) -> bool:
    """Whether another session than this check's is connected to the test's database: the
    command's, which connects once its signal handlers are in place (cli/running.py) and it
    has read a first line."""

    async def others() -> int:
        conn = await asyncpg.connect(database_url)
        try:
            count: int = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return count
        finally:
            await conn.close()

    return asyncio.run(others()) > 0


def test_a_publish_stopped_midway_exits_non_zero_saying_so(database_url: str) -> None:
    """SIGTERM, as a scheduler or `kill` stops it (Ctrl-C takes the same way out, 130)."""
    # Reading its events from a pipe that gives one line and then nothing: under way
    # (connected, waiting for the next line) until stopped.
    command = [sys.executable, "-m", "services.cli", "publish", "-", "--database-url", database_url]
    publish = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert publish.stdin is not None
    publish.stdin.write(json.dumps(example("vendor.registered")) + "\n")
    publish.stdin.flush()
    try:
        # Started, connected, reading: a fixed wait was too short for a loaded machine's
        # start-up, and the signal then came before the command's handler was in place.
        deadline = time.monotonic() + 60
        while not _connected(database_url):
            assert publish.poll() is None, publish.communicate()
            assert time.monotonic() < deadline, "publish never connected to its database"
            time.sleep(0.2)
        assert publish.poll() is None, publish.communicate()
        publish.send_signal(signal.SIGTERM)
        publish.wait(timeout=60)  # stdin left open: its end would be a file read to the end
        _, stderr = publish.communicate()
    finally:
        publish.kill()
    assert publish.returncode == 128 + signal.SIGTERM, stderr
    assert "interrupted (SIGTERM): stopped before it finished" in stderr
