"""`vendorwatch verify` as a monitor and an auditor use it: the heads it prints to record
elsewhere, and exit codes that tell a broken log from a log that could not be checked."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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


@pytest.mark.parametrize("broken", [False, True])
async def test_a_monitor_that_may_only_read_still_gets_the_verdict(
    pool: asyncpg.Pool, database_url: str, broken: bool
) -> None:
    """verify records its result for /healthz (chain_checks.py): with read-only credentials,
    it says it could not, and exits by its verdict all the same (a reviewer's finding: it
    exited 3, no verdict, for the recording it could not make, and before that for migrating
    a schema up to date)."""
    await ingest_batch(pool, [case_b.line(e) for e in (case_b.registered(), case_b.suspended())])
    if broken:
        await as_owner(pool, EDITED_SUSPENSION)
    sep = "&" if "?" in database_url else "?"
    read_only = f"{database_url}{sep}default_transaction_read_only=on"

    code, out, err = await _verify("--database-url", read_only)

    assert code == (1 if broken else 0), err
    if not broken:
        assert out.startswith("intact: 2 events in 6 chains")
    assert "the result could not be recorded for /healthz" in err
    assert "Traceback" not in err
    assert await pool.fetchval("SELECT count(*) FROM chain_verifications") == 0


async def test_a_role_granted_only_select_still_gets_the_verdict(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """The same with a role of its own that may only read (permission denied, not a read-only
    transaction)."""
    await ingest_batch(pool, [case_b.line(e) for e in (case_b.registered(), case_b.suspended())])
    async with _monitor(pool, database_url, reads_tables=True) as as_monitor:
        code, out, err = await _verify("--database-url", as_monitor)

    assert code == 0, err
    assert out.startswith("intact: 2 events in 6 chains")
    assert "the result could not be recorded for /healthz (InsufficientPrivilegeError" in err


async def test_a_role_that_may_not_read_the_migrations_gets_one_error_line(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """A role that may connect but not read `schema_migrations` (what verify reads first):
    exit 3 with one `Error:` line naming the refusal, and no ERROR log with a traceback on
    stderr beside it (a refusal of the database's, not a fault of verify's)."""
    async with _monitor(pool, database_url, reads_tables=False) as as_monitor:
        code, out, err = await _verify("--database-url", as_monitor)

    assert code == 3, err
    assert "Traceback" not in err, err
    (error,) = [line for line in err.splitlines() if line.startswith("Error:")]
    assert "the event log could not be verified" in error
    assert "InsufficientPrivilegeError" in error and "schema_migrations" in error
    assert err.strip() == error, err  # nothing logged beside it
    assert out == ""


@contextlib.asynccontextmanager
async def _monitor(
    pool: asyncpg.Pool, database_url: str, *, reads_tables: bool
) -> AsyncIterator[str]:
    """The URL of a role of its own that may connect (and read every table, `reads_tables`),
    dropped after."""
    role = f"monitor_{uuid.uuid4().hex[:12]}"
    database = await pool.fetchval("SELECT current_database()")
    await pool.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'monitor'")
    try:
        await pool.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {role}')
        await pool.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        if reads_tables:
            await pool.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        parts = urlsplit(database_url)
        host = parts.hostname or ""
        netloc = f"{role}:monitor@{host}" + (f":{parts.port}" if parts.port else "")
        yield urlunsplit(parts._replace(netloc=netloc))
    finally:
        await pool.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
        await pool.execute(f"REVOKE ALL ON SCHEMA public FROM {role}")
        await pool.execute(f'REVOKE ALL ON DATABASE "{database}" FROM {role}')
        await pool.execute(f"DROP ROLE {role}")


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


async def test_a_database_holding_no_log_is_not_verified_nor_written(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """A monitor pointed at the wrong database (another application's, an empty one): verify
    gave it every VendorWatch table, migrating it, and answered "intact: 0 events", exit 0
    (a tester's finding). It says it holds no log, exit 3, and leaves it as it was."""
    name = f"not_vendorwatch_{uuid.uuid4().hex[:8]}"
    await pool.execute(f'CREATE DATABASE "{name}"')
    try:
        parts = urlsplit(database_url)
        elsewhere = urlunsplit(parts._replace(path=f"/{name}"))

        code, out, err = await _verify("--database-url", elsewhere)

        assert code == 3, err
        assert "no VendorWatch database" in err and "holds no event log" in err
        assert out == ""
        conn = await asyncpg.connect(elsewhere)
        try:
            tables = await conn.fetchval(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            )
        finally:
            await conn.close()
        assert tables == 0
    finally:
        await pool.execute(f'DROP DATABASE "{name}"')


async def test_an_edited_occurred_at_column_is_named(pool: asyncpg.Pool, database_url: str) -> None:
    """The row's `occurred_at` is a copy of the envelope's, which the chain covers: an owner
    moving it a year back passed (a tester's finding)."""
    await ingest_batch(pool, [case_b.line(e) for e in (case_b.registered(), case_b.suspended())])
    await as_owner(
        pool,
        "UPDATE event_store SET occurred_at = occurred_at - interval '1 year'"
        " WHERE event_type = 'sanction.imposed'",
    )

    code, _, err = await _verify("--database-url", database_url)

    assert code == 1, err
    assert "occurred_at" in err and "column was changed" in err
