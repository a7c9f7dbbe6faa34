"""A one-off command stopped before it finished says so and exits 128 + the signal's number,
on a real PostgreSQL: an interrupted `verify`, `publish` or `rebuild` exited 0 and printed
nothing, which the job that ran it read as "intact" or "done" (an auditor's finding)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.postgres


def test_a_publish_stopped_midway_exits_non_zero_saying_so(database_url: str) -> None:
    """SIGTERM, as a scheduler or `kill` stops it (Ctrl-C takes the same way out, 130)."""
    # Reading its events from a pipe nobody writes to: under way until stopped.
    command = [sys.executable, "-m", "services.cli", "publish", "-", "--database-url", database_url]
    publish = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        time.sleep(3)  # started, connected, reading
        assert publish.poll() is None, publish.communicate()
        publish.send_signal(signal.SIGTERM)
        publish.wait(timeout=60)  # stdin left open: its end would be a file read to the end
        _, stderr = publish.communicate()
    finally:
        publish.kill()
    assert publish.returncode == 128 + signal.SIGTERM, stderr
    assert "interrupted (SIGTERM): stopped before it finished" in stderr
