"""What risk's foreign keys to the events it recorded guaranteed, now done once per statement
(risk migration 0008): a history row or an event's subjects naming an event risk did not
record are refused whichever statement writes them, and a recorded event is never removed
nor renumbered."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import pytest

from services.risk.storage import repository

pytestmark = pytest.mark.postgres


async def _recorded(pool: asyncpg.Pool) -> int:
    seq: int = await pool.fetchval(
        "INSERT INTO risk_events (event_id) VALUES ($1) RETURNING seq",
        uuid.uuid4(),
    )
    return seq


def _entry(seq: int) -> repository.HistoryEntry:
    return repository.HistoryEntry("v-1", seq, dt.date(2024, 1, 5), "1:test", {})


async def test_rows_naming_an_event_risk_did_not_record_are_refused_whole(
    pool: asyncpg.Pool,
) -> None:
    seq = await _recorded(pool)
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.ForeignKeyViolationError) as refused:
            await repository.record_history(conn, [_entry(seq), _entry(seq + 1000)])
    assert refused.value.detail is not None and f"(seq)=({seq + 1000})" in refused.value.detail
    assert await pool.fetchval("SELECT count(*) FROM risk_history") == 0
    async with pool.acquire() as conn:
        await repository.record_history(conn, [_entry(seq)])
    assert await pool.fetchval("SELECT count(*) FROM risk_history") == 1

    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await pool.execute(
            "INSERT INTO risk_event_subjects (vendor_id, seq, item) VALUES ('v-1', $1, 'x')",
            seq + 1000,
        )
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await pool.execute("UPDATE risk_history SET seq = $1", seq + 1000)
    await pool.execute(
        "INSERT INTO risk_event_subjects (vendor_id, seq, item) VALUES ('v-1', $1, 'x')", seq
    )


async def test_a_recorded_event_is_never_removed_nor_renumbered(pool: asyncpg.Pool) -> None:
    seq = await _recorded(pool)
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await pool.execute("DELETE FROM risk_events WHERE seq = $1", seq)
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await pool.execute("UPDATE risk_events SET seq = seq + 1000 WHERE seq = $1", seq)
    assert await pool.fetchval("SELECT count(*) FROM risk_events WHERE seq = $1", seq) == 1
