"""A one-off command pointed at a database that is not VendorWatch's (the server's own
`postgres`, a `createdb` with a typo) refuses it in one line naming it, and leaves it as it
was: `rebuild` said "rebuilt registry from 0 events", `publish` "stored", `export` wrote a
header, exit 0, each after creating every VendorWatch table there. Only the processes that
serve a database create its schema."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from services.platform.postgres.database import redacted
from tests.support import case_b
from tests.support.postgres import count_now, with_database
from tests.support.processes import run_cli
from tests.support.worldbank_csv import HEADER

pytestmark = [pytest.mark.postgres]

COMMANDS = [
    ["rebuild", "all"],
    ["export", "exclusions"],
    ["migration", "export", "plan-1", "--output", "{tmp}/plan.svg"],
    ["publish", "{tmp}/events.jsonl"],
    ["import", "worldbank", "{tmp}/list.csv"],
]


@pytest.fixture
async def not_vendorwatch(pool: asyncpg.Pool, database_url: str) -> AsyncIterator[str]:
    """An empty database on the test server (a `createdb typo_db`)."""
    name = f"typo_db_{uuid.uuid4().hex[:8]}"
    await pool.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(database_url, name)
    finally:
        await pool.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_a_database_without_vendorwatch_is_refused(
    command: list[str], not_vendorwatch: str, tmp_path: Path
) -> None:
    (tmp_path / "events.jsonl").write_bytes(case_b.line(case_b.registered()) + b"\n")
    (tmp_path / "list.csv").write_text(
        HEADER + "Firm Ltd,,1 Street,Kenya,2024-01-10,2030-01-09,Fraud\n", encoding="utf-8"
    )

    args = [arg.format(tmp=tmp_path) for arg in command]
    result = run_cli(*args, "--database-url", not_vendorwatch)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert f"no VendorWatch database at {redacted(not_vendorwatch)}" in line, line
    assert "holds no event log" in line
    assert "rebuilt" not in result.stdout and "stored" not in result.stdout
    tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
    assert count_now(not_vendorwatch, tables) == 0
    assert not (tmp_path / "plan.svg").exists()
