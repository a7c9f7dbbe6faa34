"""`vendorwatch verify` as a monitor and an auditor use it: the heads it prints to record
elsewhere, and exit codes that tell a broken log from a log that could not be checked."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from tests.support import case_b
from tests.support.processes import run_cli
from tests.support.tampering import EDITED_SUSPENSION, as_owner

pytestmark = pytest.mark.postgres

UNREACHABLE_DB = "postgresql://nobody@127.0.0.1:1/nothing"


async def _verify(*args: str) -> tuple[int, str, str]:
    done = await asyncio.to_thread(run_cli, "verify", *args)
    return done.returncode, done.stdout, done.stderr


async def test_an_intact_log_prints_each_partition_s_seq_and_head(
    pool: asyncpg.Pool, database_url: str
) -> None:
    await ingest_batch(pool, [case_b.line(e) for e in (case_b.registered(), case_b.suspended())])
    heads = await pool.fetch("SELECT partition, seq, chain_hash FROM event_chain_heads")

    code, out, err = await _verify("--database-url", database_url)

    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "intact: 2 events in 6 chains"
    assert lines[1:] == [
        f"  partition {h['partition']} seq {h['seq']} head {h['chain_hash']}"
        for h in sorted(heads, key=lambda h: h["partition"])
    ]


async def test_a_broken_log_exits_1(pool: asyncpg.Pool, database_url: str) -> None:
    await ingest_batch(pool, [case_b.line(e) for e in (case_b.registered(), case_b.suspended())])
    await as_owner(pool, EDITED_SUSPENSION)

    code, out, err = await _verify("--database-url", database_url)

    assert code == 1
    assert "broken: partition" in err and "content was changed" in err
    assert out == ""


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (["--database-url", UNREACHABLE_DB], "cannot reach PostgreSQL"),
        (["--data-dir", "{tmp}/missing"], "no VendorWatch database"),
    ],
)
async def test_a_log_that_could_not_be_checked_exits_3(
    where: list[str], expected: str, tmp_path: Path
) -> None:
    """Not 1: a monitor must not take PostgreSQL out of reach for tampering."""
    code, out, err = await _verify(*(arg.format(tmp=tmp_path) for arg in where))

    assert code == 3, err
    assert "Traceback" not in err
    (error,) = [line for line in err.splitlines() if line.startswith("Error:")]
    assert "the event log could not be verified" in error
    assert expected in error
    assert out == ""
