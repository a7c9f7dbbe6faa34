"""Eligibility changes are announced once, at the right local date, event or no event; the
change feed lists every vendor to re-check."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import EmbeddedEventLog
from services.registry import queries
from services.registry.announcements import reconcile_due
from services.registry.jobs import relay_outbox
from tests.support import case_b
from tests.support.registry import TOKYO, FixedClock, consumer
from tests.support.registry_db import apply, outbox

pytestmark = pytest.mark.postgres


def clock(day: str) -> FixedClock:
    return FixedClock(TOKYO, dt.datetime.fromisoformat(f"{day}T00:05:00+09:00"))


async def _calendar_passes(pool: asyncpg.Pool, day: str) -> None:
    moment = clock(day)
    async with pool.acquire() as conn, conn.transaction():
        await reconcile_due(conn, moment.today(), moment.now())


async def test_a_sanction_in_force_today_is_announced_once(pool: asyncpg.Pool) -> None:
    registry = consumer(clock("2023-03-01"))
    await apply(pool, case_b.registered(), case_b.suspended(), consumer=registry)
    await apply(pool, case_b.another_vendor("vendor-c"), consumer=registry)
    (event,) = await outbox(pool)
    assert event["event_type"] == "vendor.eligibility_changed"
    assert event["vendor_id"] == case_b.VENDOR
    assert event["payload"]["as_of"] == "2023-03-01"
    assert event["payload"]["eligible"] is False
    assert event["payload"]["eligible_again_on"] == case_b.ELIGIBLE_AGAIN
    assert [r["sanction_id"] for r in event["payload"]["reasons"]] == ["city-2022-001"]
    await _calendar_passes(pool, "2023-03-02")  # nothing changed: nothing more announced
    assert len(await outbox(pool)) == 1


async def test_the_calendar_alone_starts_and_ends_a_suspension(pool: asyncpg.Pool) -> None:
    registry = consumer(clock("2022-07-01"))
    await apply(pool, case_b.registered(), case_b.suspended(), consumer=registry)
    assert await outbox(pool) == []  # recorded, not yet in force
    await _calendar_passes(pool, case_b.SUSPENSION_START)
    await _calendar_passes(pool, case_b.LAST_SUSPENDED_DAY)
    await _calendar_passes(pool, case_b.ELIGIBLE_AGAIN)
    announced = [(e["payload"]["as_of"], e["payload"]["eligible"]) for e in await outbox(pool)]
    assert announced == [(case_b.SUSPENSION_START, False), (case_b.ELIGIBLE_AGAIN, True)]


async def test_announcements_reach_the_event_log_once(pool: asyncpg.Pool) -> None:
    await apply(
        pool, case_b.registered(), case_b.suspended(), consumer=consumer(clock("2023-03-01"))
    )
    log = EmbeddedEventLog(pool, ingest_batch)
    assert await relay_outbox(pool, log) == 1
    assert await relay_outbox(pool, log) == 0
    stored = await pool.fetch(
        "SELECT vendor_id FROM event_store WHERE event_type = 'vendor.eligibility_changed'"
    )
    assert [r["vendor_id"] for r in stored] == [case_b.VENDOR]


async def test_the_change_feed_pages_by_cursor(pool: asyncpg.Pool) -> None:
    registry = consumer(clock("2023-03-01"))
    await apply(pool, case_b.registered(), case_b.subsidiary(), consumer=registry)
    await apply(pool, case_b.owned_by_b(), consumer=registry)
    await apply(pool, case_b.suspended(covers_affiliates=True), consumer=registry)
    async with pool.acquire() as conn:
        first = await queries.changes_since(conn, None, 2)
        rest = await queries.changes_since(conn, first.cursor, 100)
        done = await queries.changes_since(conn, rest.cursor, 100)
        with pytest.raises(queries.RegistryQueryError, match="not a cursor"):
            await queries.changes_since(conn, "yesterday", 10)
    assert first.has_more and not rest.has_more and done.changes == []
    changes = [(c.vendor_id, c.kind) for c in [*first.changes, *rest.changes]]
    both_eligibility = [(case_b.VENDOR, "eligibility"), (case_b.SUBSIDIARY, "eligibility")]
    assert changes == [
        (case_b.VENDOR, "identity"),
        (case_b.SUBSIDIARY, "identity"),
        *both_eligibility,  # the affiliation: what bars either may differ from now on
        *both_eligibility,  # the sanction: both barred (the subsidiary through its parent)
    ]
