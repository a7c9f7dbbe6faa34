"""The registry's change feed across `vendorwatch rebuild`: kept as it was said, cursors and
the calendar's rows included, so a screening client reading on from its cursor is told
nothing again and misses nothing; what the replay says that the feed did not is added."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import pytest

from services.cli import rebuilding
from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import drain
from services.platform.settings import Settings
from services.registry import announcements
from tests.support import case_b
from tests.support.in_process_api import execute
from tests.support.migration_checks import operation
from tests.support.registry import REGISTRY
from tests.support.running_system import running_system, settled, submit
from tests.support.whole_case import case_applied

pytestmark = pytest.mark.postgres

LATER = "vendor-later"
FEED = "SELECT seq, xid::text, vendor_id, kind, recorded_at FROM registry_changes ORDER BY seq"


async def _feed(pool: asyncpg.Pool) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in await pool.fetch(FEED)]


async def _after(pool: asyncpg.Pool, cursor: str) -> dict[str, Any]:
    changes: dict[str, Any] = (await execute(pool, operation("registry-changes"), since=cursor))[
        "registryChanges"
    ]
    return changes


async def _with_a_calendar_row(pool: asyncpg.Pool, settings: Settings) -> None:
    """The case, and a suspension recorded today to start tomorrow, which the calendar
    announces tomorrow, on a day without an event (run here as it runs then)."""
    await case_applied(pool, settings.clock.today().replace(day=1))
    tomorrow = settings.clock.today() + dt.timedelta(days=1)
    await submit(
        pool,
        case_b.another_vendor(LATER),
        case_b.suspended(
            LATER,
            "city-later-001",
            decided_on=settings.clock.today().isoformat(),
            starts_on=tomorrow.isoformat(),
        ),
    )
    await settled(pool)
    midnight = dt.datetime.combine(tomorrow, dt.time(), settings.clock.timezone)
    async with pool.acquire() as conn, conn.transaction():
        assert await announcements.reconcile_due(conn, tomorrow, midnight)
    await settled(pool)


async def test_a_rebuild_keeps_the_change_feed_as_it_was_said(
    pool: asyncpg.Pool, database_url: str
) -> None:
    settings = Settings(database_url=database_url)
    async with running_system(pool, settings):
        await _with_a_calendar_row(pool, settings)
        before = await _feed(pool)
        said_by_the_calendar = [row for row in before if row[2] == LATER][-1]
        assert said_by_the_calendar[3] == "eligibility"
        first = (await execute(pool, operation("registry-changes"), first=2))["registryChanges"]
        rest = await _after(pool, first["cursor"])

        await rebuilding.rebuild(settings, list(rebuilding.PROJECTIONS), force=False)
        await settled(pool)

        assert await _feed(pool) == before
        # A client reading on from where it was is told nothing again, and misses nothing.
        assert await _after(pool, first["cursor"]) == rest
        assert (await _after(pool, rest["cursor"]))["changes"] == []


async def test_a_vendor_the_rebuild_leaves_otherwise_is_listed_once(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """A vendor whose record the replay gives otherwise than the registry held it (judged
    under other rules then; here its name, as if stored otherwise) is listed again, after
    everything the feed held; a rebuild that changes nothing after it lists nothing."""
    settings = Settings(database_url=database_url)
    async with running_system(pool, settings):
        await case_applied(pool, settings.clock.today().replace(day=1))
        await pool.execute(
            "UPDATE registry_vendor_names SET name = name || ' (old)'"
            " WHERE vendor_id = $1 AND kind = 'legal'",
            case_b.VENDOR,
        )
        before = await _feed(pool)
        started = await pool.fetchval("SELECT clock_timestamp()")
        await rebuilding.rebuild(settings, list(rebuilding.PROJECTIONS), force=False)
        await settled(pool)
        after = await _feed(pool)
        assert after[: len(before)] == before
        [(_, _, vendor, kind, at)] = after[len(before) :]
        assert (vendor, kind) == (case_b.VENDOR, "identity") and at >= started

        await rebuilding.rebuild(settings, list(rebuilding.PROJECTIONS), force=False)
        await settled(pool)
        assert await _feed(pool) == after


async def test_a_vendor_the_live_registry_had_not_reached_is_listed_once(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """Stored but not yet applied when the rebuild ran: the rebuild leaves it to the live
    registry, whose row for it is news, listed once."""
    settings = Settings(database_url=database_url)
    await ingest_batch(pool, [case_b.line(case_b.registered())])
    await drain(pool, REGISTRY)
    await ingest_batch(pool, [case_b.line(case_b.another_vendor(LATER))])
    said = await _feed(pool)
    await rebuilding.rebuild(settings, list(rebuilding.PROJECTIONS), force=False)
    assert await _feed(pool) == said
    await drain(pool, REGISTRY)
    after = await _feed(pool)
    assert after[: len(said)] == said
    assert [(row[2], row[3]) for row in after[len(said) :]] == [(LATER, "identity")]
