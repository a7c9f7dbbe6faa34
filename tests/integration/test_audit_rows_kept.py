"""The audit tables keep their rows as written (platform migration 0014): the log, the dead
letters and the walks' results refuse an UPDATE, a DELETE and a TRUNCATE, saying which table
and what; what the processes write (inserts, a refusal recorded again) goes through."""

from __future__ import annotations

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.consuming import dead_letters
from services.platform.eventstore import chain_checks, verification
from tests.support import case_b

pytestmark = pytest.mark.postgres

REWRITES = {
    "event_store": ("UPDATE event_store SET vendor_id = 'other'", "DELETE FROM event_store"),
    "dead_letters": (
        "UPDATE dead_letters SET reason = 'nothing to see'",
        "DELETE FROM dead_letters",
    ),
    "chain_verifications": (
        "UPDATE chain_verifications SET intact = true, problems = '{}'",
        "DELETE FROM chain_verifications WHERE NOT intact",
    ),
}


async def _one_row_each(pool: asyncpg.Pool) -> None:
    """An event stored, a line refused at the door, a walk recorded broken."""
    await ingest_batch(pool, [case_b.line(case_b.registered()), b"not json"])
    await chain_checks.record(pool, 1, ["partition 2 seq 1: edited"])


@pytest.mark.parametrize("table", sorted(REWRITES))
async def test_an_audit_table_refuses_to_have_its_rows_changed(
    pool: asyncpg.Pool, table: str
) -> None:
    await _one_row_each(pool)
    before = await pool.fetch(f"SELECT * FROM {table} ORDER BY 1")
    assert before

    for statement in (*REWRITES[table], f"TRUNCATE {table}"):
        op = statement.split()[0].upper()
        with pytest.raises(asyncpg.ObjectNotInPrerequisiteStateError) as refused:
            await pool.execute(statement)
        assert refused.value.args[0] == f"{table} is append-only: {op} is not allowed"

    assert await pool.fetch(f"SELECT * FROM {table} ORDER BY 1") == before


async def test_what_the_processes_write_still_goes_through(pool: asyncpg.Pool) -> None:
    """A refusal recorded again is skipped, not rewritten; a walk's result is added beside
    the ones before, the latest of them what /healthz reports."""
    await _one_row_each(pool)
    await ingest_batch(pool, [b"not json"])  # the same refusal again: kept once
    async with pool.acquire() as conn:
        assert await dead_letters.count(conn) == 1
    result = await verification.verify(pool)
    await chain_checks.record(pool, result.events, [str(p) for p in result.problems])
    latest = await chain_checks.latest(pool)
    assert latest is not None and latest.intact and latest.events == 1
    assert await pool.fetchval("SELECT count(*) FROM chain_verifications") == 2
