"""What risk's foreign keys to the events it recorded guaranteed, now done once per statement
(risk migration 0008): a history row or an event's subjects naming an event risk did not
record are refused whichever statement writes them, and a recorded event is never removed
nor renumbered; and an event risk records is one the event store holds (0009)."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import pytest

from services.events.catalog import parse_event
from services.risk.storage import repository
from tests.support import case_b, event_log
from tests.support.event_examples import envelope, example

pytestmark = pytest.mark.postgres


async def _recorded(pool: asyncpg.Pool) -> int:
    """An event of the store, recorded by risk (its seq)."""
    event = parse_event(case_b.line(envelope("incident.reported", example("incident.reported"))))
    await event_log.append(pool, [event])
    async with pool.acquire() as conn, conn.transaction():
        [seq] = await repository.add_events(conn, [event], ["i"], [set()])
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


async def test_an_event_the_store_does_not_hold_is_not_recorded(pool: asyncpg.Pool) -> None:
    """Risk reads the envelopes of what it recorded from the store: the statement recording
    an event the store lacks is refused whole."""
    event = parse_event(case_b.line(envelope("incident.reported", example("incident.reported"))))
    await event_log.append(pool, [event])
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.ForeignKeyViolationError) as refused:
            await repository.add_events(
                conn,
                [event, event.model_copy(update={"event_id": uuid.uuid4()})],
                ["i", "i"],
                [{"v-1"}, {"v-1"}],
            )
    assert refused.value.detail is not None and "event_store" in refused.value.detail
    assert await pool.fetchval("SELECT count(*) FROM risk_events") == 0
