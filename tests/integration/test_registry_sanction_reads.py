"""A sanction event re-screens its vendor for the day the log records it, and `bidEligibility`
answers for a day: what either reads must not grow with the vendor's past sanctions, which
bar nothing then (`sanctions_by_day.rows_applying_from`, `candidates`). Counted as the
rows the statements hand back to Python, each to decode and judge (PostgreSQL's own index
probes by vendor stay, at about a microsecond a sanction), not timed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import asyncpg
import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.consuming.consumer import Consumer, apply_batch
from services.platform.postgres.database import SERVER_SETTINGS
from services.registry.handlers import registry_consumer
from services.registry.policy_loading import load_policies
from services.registry.reads import single_check
from services.registry.storage import sanction_repository
from tests.support import event_log
from tests.support.event_examples import envelope, example
from tests.support.registry import TOKYO, FixedClock

pytestmark = pytest.mark.postgres

PAST = 300  # suspensions of two months, one a week from 2000 on: all over years ago
VENDOR = "vendor-b"


class _RowsCounted(asyncpg.Connection):
    """A connection that counts the rows its `fetch` calls hand back."""

    rows = 0

    async def fetch(self, query: str, *args: Any, **options: Any) -> list[Any]:
        found: list[Any] = await super().fetch(query, *args, **options)
        self.rows += len(found)
        return found


def _event(event_type: str, **changes: Any) -> EventEnvelope:
    payload = example(event_type, **changes)
    return parse_event(json.dumps(envelope(event_type, payload, VENDOR), ensure_ascii=False))


def _imposed(sanction_id: str, starts_on: dt.date) -> EventEnvelope:
    return _event(
        "sanction.imposed",
        sanction_id=sanction_id,
        decided_on=(starts_on - dt.timedelta(days=1)).isoformat(),
        starts_on=starts_on.isoformat(),
        duration_months=2,
    )


async def _past_record(pool: asyncpg.Pool) -> Consumer:
    """The vendor registered with its PAST suspensions, applied by the registry."""
    consumer = registry_consumer(FixedClock(TOKYO), load_policies())
    past = [
        _imposed(f"past-{n:03d}", dt.date(2000, 1, 3) + dt.timedelta(weeks=n)) for n in range(PAST)
    ]
    history = [_event("vendor.registered"), *past]
    await event_log.append(pool, history)
    await apply_batch(pool, consumer, history)
    return consumer


async def _counted(database_url: str) -> _RowsCounted:
    counted: _RowsCounted = await asyncpg.connect(
        database_url, connection_class=_RowsCounted, server_settings=SERVER_SETTINGS
    )
    return counted


async def test_a_single_check_reads_the_sanctions_that_can_still_bar_not_the_record(
    pool: asyncpg.Pool, database_url: str
) -> None:
    await _past_record(pool)
    conn = await _counted(database_url)
    try:
        today = await single_check.eligibility(conn, VENDOR, None, dt.date(2026, 1, 5))
        read_for_today = conn.rows
        # Asked about a day of its record, what may bar then or after is read: all of it.
        back_then = await single_check.eligibility(conn, VENDOR, None, dt.date(2000, 2, 1))
    finally:
        await conn.close()
    assert today.eligible and not back_then.eligible
    assert [r.sanction_id for r in back_then.reasons] == [f"past-00{n}" for n in range(5)]
    # Before: every sanction of the vendor (300 rows, one each).
    assert read_for_today < 10, f"{read_for_today} rows handed back for today's answer"


async def test_a_sanction_event_reads_the_sanctions_that_can_still_bar_not_the_record(
    pool: asyncpg.Pool, database_url: str
) -> None:
    consumer = await _past_record(pool)
    today = (await pool.fetchval("SELECT now()")).astimezone(TOKYO).date()
    # A suspension from tomorrow, and an amendment of one of the past ones (named by the
    # batch: its row is read, whatever its days).
    batch = [
        _imposed("now-1", today + dt.timedelta(days=1)),
        _event(
            "sanction.amended",
            sanction_id="past-007",
            effective_on="2000-03-01",
            categories=["information_systems"],
        ),
    ]
    await event_log.append(pool, batch)
    assert consumer.apply_all is not None
    apply_all = consumer.apply_all
    conn = await _counted(database_url)
    try:
        async with conn.transaction():
            await apply_all(conn, batch)
    finally:
        await conn.close()
    # Before: every one of the vendor's sanctions, each batch (300 and more).
    assert conn.rows < 20, f"{conn.rows} rows handed back for two sanction events"
    changes = await pool.fetchval(
        "SELECT count(*) FROM registry_sanction_changes WHERE sanction_id = 'past-007'"
    )
    upcoming = await pool.fetchval(
        "SELECT upcoming FROM registry_eligibility_state WHERE vendor_id = $1", VENDOR
    )
    assert changes == 1
    assert upcoming is not None and "now-1" in upcoming


def _scanned(plan: dict[str, Any], tables: set[str]) -> int:
    """The rows the plan's scans of `tables` read: those kept and those filtered out."""
    own = 0
    if plan.get("Relation Name") in tables:
        kept = plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)
        own = (kept + plan.get("Rows Removed by Index Recheck", 0)) * plan["Actual Loops"]
    return own + sum(_scanned(p, tables) for p in plan.get("Plans", ()))


async def test_the_sanction_events_of_a_moment_are_probed_not_the_record(
    pool: asyncpg.Pool,
) -> None:
    """`placed_at` (asked for every moment of awards the alerts judge) reads the moment's
    sanction rows and changes, not the vendor's past ones: planned as on a large table (no
    sequential scan of the sanctions)."""
    consumer = await _past_record(pool)
    batch = [
        _imposed("now-1", dt.date(2026, 2, 1)),
        _event("sanction.amended", sanction_id="past-007", effective_on="2000-03-01"),
    ]
    await event_log.append(pool, batch)
    await apply_batch(pool, consumer, batch)
    moment = await pool.fetchval(
        "SELECT recorded_at FROM registry_sanctions WHERE sanction_id = 'now-1'"
    )
    async with pool.acquire() as conn:
        await conn.execute("ANALYZE registry_sanctions, registry_sanction_changes")
        await conn.execute("SET enable_seqscan = off")
        assert len(await sanction_repository.placed_at(conn, [VENDOR], moment)) == 2
        plan = json.loads(
            await conn.fetchval(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + sanction_repository.PLACED_AT,
                [VENDOR],
                moment,
            )
        )[0]["Plan"]
        await conn.execute("RESET enable_seqscan")
    scanned = _scanned(plan, {"registry_sanctions", "registry_sanction_changes"})
    # Before: every sanction of the vendor, twice (300 and more each).
    assert scanned < 20, f"{scanned} sanction rows read for the moment's 2 events"
