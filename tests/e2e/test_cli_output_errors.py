"""A command whose output cannot be written (a pipe its reader closed, `| head -1`; a full
disk) says that of its output, never "lost PostgreSQL": the database was fine, and running
the command again once PostgreSQL is back would change nothing. A closed pipe ends quietly,
as Unix tools end on it (128 + SIGPIPE, what a shell reports for `yes | head -1`); verify
never exits 1, its "broken log", for it."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from tests.support.processes import VENDORWATCH

pytestmark = [pytest.mark.postgres]

# Each writes even from an empty database: verify its verdict, the CSV export its header.
COMMANDS = [["verify"], ["export", "exclusions"]]


def _into_closed_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    """`vendorwatch ARGS | head -0`, without the race: the reader is gone before it writes."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [*VENDORWATCH, *args], stdout=write, stderr=subprocess.PIPE, text=True, timeout=60
        )
    finally:
        os.close(write)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_closed_pipe_ends_quietly(command: list[str], database_url: str) -> None:
    result = _into_closed_pipe(*command, "--database-url", database_url)
    assert result.returncode == 128 + signal.SIGPIPE, result.stderr
    # Nothing said but verify's progress label, which it writes before its verdict.
    assert result.stderr in ("", "verifying\n"), result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_a_full_disk_is_said_as_the_output(command: list[str], database_url: str) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [*VENDORWATCH, *command, "--database-url", database_url],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert "Traceback" not in result.stderr and "PostgreSQL" not in result.stderr, result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert line.startswith("Error: could not write the output:"), line
    assert "No space left on device" in line
    # verify's 1 is "the log is broken": a verdict not delivered is no verdict (3).
    assert result.returncode == (3 if command == ["verify"] else 1), result.stderr
