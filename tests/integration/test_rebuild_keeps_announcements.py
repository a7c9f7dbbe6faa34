"""A registry rebuild keeps what was announced: the calendar's announcements (made on days
without an event) are not made again after it, nor are its states lost."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from services.cli import rebuilding
from services.events.catalog import parse_event
from services.events.emitted import EligibilityChanged
from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import EmbeddedEventLog, drain
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from services.registry.announcements import reconcile_due
from services.risk import setup as risk_setup
from services.risk.handlers import risk_consumer
from tests.support import case_b
from tests.support.registry import TOKYO

pytestmark = pytest.mark.postgres

_STATES = "SELECT vendor_id, eligible, eligible_again_on, as_of FROM registry_eligibility_state"


async def _calendar(pool: asyncpg.Pool, now: dt.datetime) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await reconcile_due(conn, now.date(), now)


async def test_the_calendar_does_not_announce_again_after_a_registry_rebuild(
    pool: asyncpg.Pool, database_url: str
) -> None:
    settings = Settings(database_url=database_url)
    today = dt.datetime.now(TOKYO).date()
    log = EmbeddedEventLog(pool, ingest_batch)
    # Suspended from today, lifted from the day after tomorrow: the lift takes effect on a day
    # without an event, so only the calendar announces it.
    events = [
        case_b.registered(),
        case_b.suspended(
            decided_on=(today - dt.timedelta(days=1)).isoformat(), starts_on=today.isoformat()
        ),
        case_b.lifted((today + dt.timedelta(days=2)).isoformat()),
    ]
    await log.submit([case_b.line(e) for e in events])
    await drain(pool, registry_setup.consumer(settings, registry_setup.policies(settings)))
    in_three_days = dt.datetime.now(TOKYO) + dt.timedelta(days=3)
    await _calendar(pool, in_three_days)
    said = await pool.fetch("SELECT id, event FROM registry_outbox ORDER BY id")
    states = await pool.fetch(_STATES)
    # The suspension, the lift's new end, then the calendar's: eligible again.
    assert [_eligible(row["event"]) for row in said] == [False, False, True]

    await rebuilding.rebuild(settings, ["registry"], force=True)
    assert await pool.fetch(_STATES) == states
    await _calendar(pool, in_three_days)
    assert await pool.fetch("SELECT id, event FROM registry_outbox ORDER BY id") == said


def _eligible(event: str) -> bool:
    payload = parse_event(event).payload
    assert isinstance(payload, EligibilityChanged)
    return payload.eligible


async def test_what_the_live_consumers_had_not_reached_is_theirs_to_apply_and_announce(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """A rebuild while a consumer is behind the log (a worker down, a backlog) replays what
    it had applied, no more: it applied the rest silently, and live processing then passed
    it as applied, so that a suspension from today was never announced, nor did risk say its
    score moved (an operator's finding in distributed mode). Now the live consumers apply
    them once the rebuild commits, announcing as they always do."""
    settings = Settings(database_url=database_url)
    today = dt.datetime.now(TOKYO).date()
    log = EmbeddedEventLog(pool, ingest_batch)
    registry = registry_setup.consumer(settings, registry_setup.policies(settings))
    risk = risk_consumer(risk_setup.service(settings))
    await log.submit([case_b.line(case_b.registered())])
    await drain(pool, registry)
    await drain(pool, risk)
    suspended = case_b.suspended(
        decided_on=(today - dt.timedelta(days=1)).isoformat(), starts_on=today.isoformat()
    )
    await log.submit([case_b.line(suspended)])
    await drain(pool, registry)  # judged and announced; risk is behind
    said = await pool.fetch("SELECT event FROM registry_outbox ORDER BY id")
    assert [_eligible(row["event"]) for row in said] == [False]
    risk_said = await pool.fetchval("SELECT count(*) FROM risk_outbox")
    risk_had = await pool.fetchval("SELECT count(*) FROM risk_events")
    await log.submit([case_b.line(case_b.lifted((today + dt.timedelta(days=30)).isoformat()))])

    await rebuilding.rebuild(settings, list(rebuilding.PROJECTIONS), force=True)
    # The lift was not judged live, nor the suspension applied by risk: not replayed either.
    assert await pool.fetchval("SELECT count(*) FROM registry_sanction_changes") == 0
    assert await pool.fetchval("SELECT count(*) FROM risk_events") == risk_had

    await drain(pool, registry)
    await drain(pool, risk)
    said = await pool.fetch("SELECT event FROM registry_outbox ORDER BY id")
    assert [_eligible(row["event"]) for row in said] == [False, False]  # the lift's new end
    assert await pool.fetchval("SELECT count(*) FROM risk_events") == risk_had + 2
    assert await pool.fetchval("SELECT count(*) FROM risk_outbox") > risk_said
