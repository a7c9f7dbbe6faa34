"""The dead letters per stage as their tallies keep them (platform migration 0007): always the
count of the letters, whoever writes them or, as the database owner, removes them, and read
without the letters."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from services.platform.consuming import dead_letters
from services.platform.consuming.dead_letters import DeadLetter
from services.platform.operations import database_gauges, metrics

pytestmark = pytest.mark.postgres


async def _counted(pool: asyncpg.Pool) -> dict[str, int]:
    """The letters per stage, counted row by row: what the tallies must say."""
    rows = await pool.fetch("SELECT stage, count(*) AS n FROM dead_letters GROUP BY stage")
    return {r["stage"]: r["n"] for r in rows}


async def _tallied(pool: asyncpg.Pool) -> dict[str, int]:
    async with pool.acquire() as conn:
        return {stage: n for stage, n in (await dead_letters.per_stage(conn)).items() if n}


def _letter(stage: str, n: int) -> DeadLetter:
    return DeadLetter(stage, f"refused {n}", f'{{"n": {n}}}')


async def _record(pool: asyncpg.Pool, letters: list[DeadLetter]) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await dead_letters.record_many(conn, letters)


async def _as_owner(pool: asyncpg.Pool, *statements: str) -> None:
    """`statements` run as the database owner can, with the guards refusing them off."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "ALTER TABLE dead_letters DISABLE TRIGGER dead_letters_append_only,"
            " DISABLE TRIGGER dead_letters_not_truncated"
        )
        for statement in statements:
            await conn.execute(statement)
        await conn.execute(
            "ALTER TABLE dead_letters ENABLE TRIGGER dead_letters_append_only,"
            " ENABLE TRIGGER dead_letters_not_truncated"
        )


async def test_the_tallies_count_what_is_written_and_removed(pool: asyncpg.Pool) -> None:
    await _record(pool, [_letter("ingest", n) for n in range(5)] + [_letter("risk", 0)])
    # The same refusal again, in another batch and twice in one batch: stored once.
    await _record(pool, [_letter("ingest", 4), _letter("ingest", 5), _letter("ingest", 5)])
    assert await _tallied(pool) == await _counted(pool) == {"ingest": 6, "risk": 1}

    # A batch rolled back leaves no letter, and no tally.
    with pytest.raises(RuntimeError):
        async with pool.acquire() as conn, conn.transaction():
            await dead_letters.record_many(conn, [_letter("risk", n) for n in range(1, 9)])
            raise RuntimeError("the batch failed")
    assert await _tallied(pool) == {"ingest": 6, "risk": 1}

    # The database owner's edits, past the letters' append-only guards (platform 0014), count
    # too, to 0 for a stage emptied.
    await _as_owner(
        pool,
        "DELETE FROM dead_letters WHERE stage = 'ingest' AND reason <> 'refused 0'",
        "UPDATE dead_letters SET stage = 'registry' WHERE stage = 'risk'",
    )
    assert await _tallied(pool) == await _counted(pool) == {"ingest": 1, "registry": 1}
    async with pool.acquire() as conn:
        assert (await dead_letters.per_stage(conn))["risk"] == 0
        assert await dead_letters.count(conn) == 2
    await _as_owner(pool, "TRUNCATE dead_letters")
    await _record(pool, [_letter("migration", 1)])
    assert await _tallied(pool) == await _counted(pool) == {"migration": 1}


async def test_folding_keeps_the_sums_and_a_row_per_stage(pool: asyncpg.Pool) -> None:
    for n in range(30):
        await _record(pool, [_letter("ingest", n), _letter(f"stage-{n % 3}", n)])
    # Folded as they are written too, not only when /metrics is scraped: without a scraper,
    # a row per stage for each statement that wrote letters piled up for `count` to sum.
    assert await pool.fetchval("SELECT count(*) FROM dead_letter_tallies") == 4
    # Replicas scraped at once fold at once: each takes rows the other has not locked.
    async with pool.acquire() as one, pool.acquire() as other:
        answers = await asyncio.gather(dead_letters.per_stage(one), dead_letters.per_stage(other))
    expected = {"ingest": 30, "stage-0": 10, "stage-1": 10, "stage-2": 10}
    assert list(answers) == [expected, expected] and await _counted(pool) == expected
    async with pool.acquire() as conn:
        assert await dead_letters.per_stage(conn) == expected
    assert await pool.fetchval("SELECT count(*) FROM dead_letter_tallies") == 4


async def test_the_gauge_does_not_read_the_letters(pool: asyncpg.Pool) -> None:
    await _record(pool, [_letter("ingest", n) for n in range(3)])
    async with pool.acquire() as holder, holder.transaction():
        # Nothing can read the letters while this lock is held: counting them would wait.
        await holder.execute("LOCK TABLE dead_letters IN ACCESS EXCLUSIVE MODE")
        await asyncio.wait_for(database_gauges.sample(pool, []), timeout=5)
    assert metrics.DEAD_LETTERS.labels("ingest")._value.get() == 3
