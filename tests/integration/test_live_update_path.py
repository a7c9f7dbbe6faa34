"""The path of a live update in `vendorwatch up`: the registry's announcement reaches this
process's subscribers at the registry's commit and is relayed before the services after the
registry take its batch, and what ingest stores reaches the subscribers at its commit, without
waiting for `follow` to read it back."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from functools import partial

import asyncpg
import pytest

from services.cli import embedded as up
from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.consuming.consumer import Consumer
from services.platform.eventlog import embedded
from services.platform.eventlog.base import Writer
from services.platform.eventlog.own_appends import OwnAppends
from services.platform.graphql.broadcast import Broadcaster
from services.platform.operations.liveness import Liveness
from services.platform.postgres.database import Connection
from services.registry.announcements import OUTBOX
from services.registry.handlers import CONSUMER_NAME
from tests.support import case_b
from tests.support.processes import eventually
from tests.support.registry import TOKYO, FixedClock, consumer
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

ANNOUNCED = "SELECT count(*) FROM event_store WHERE event_type = 'vendor.eligibility_changed'"
# A clock on which case B's sanction, applied outside the log, is in force: it is announced.
IN_FORCE = dt.datetime(2023, 3, 1, 0, 5, tzinfo=TOKYO)


async def test_the_announcement_is_in_the_log_before_the_services_after_the_registry_run(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded, "POLL_SECONDS", 600.0)  # woken only by notices and progress
    announced_when_applied: list[int] = []

    async def downstream_applies(conn: Connection, _event: EventEnvelope) -> None:
        announced_when_applied.append(await conn.fetchval(ANNOUNCED))

    today = dt.datetime.now(TOKYO).date()
    suspended = case_b.suspended(  # in force from today: announced as it is applied
        decided_on=(today - dt.timedelta(days=1)).isoformat(), starts_on=today.isoformat()
    )
    downstream = Consumer(
        "downstream", {suspended["event_type"]: downstream_applies}, verdict_from=CONSUMER_NAME
    )
    broadcaster = Broadcaster()
    log = embedded.EmbeddedEventLog(pool, up.publishing(broadcaster, OwnAppends()))
    relay = partial(up.relay_announcements, pool, log, Liveness("relays", "job"), broadcaster)
    consumers = [consumer(), downstream]
    tailing = asyncio.create_task(
        embedded.run_consumers(pool, consumers, then={CONSUMER_NAME: relay})
    )
    try:
        await log.submit([case_b.line(case_b.registered()), case_b.line(suspended)])
        await eventually(
            lambda: asyncio.sleep(0, bool(announced_when_applied)),
            "the service after the registry to apply the sanction",
        )
        # No relay loop runs here: the registry's consumer relayed it before waking the other.
        assert announced_when_applied == [1]
        assert await pool.fetchval("SELECT count(*) FROM registry_outbox") == 0
    finally:
        tailing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tailing


async def test_a_relay_that_waits_relays_after_the_relayer_at_work(pool: asyncpg.Pool) -> None:
    registry = consumer(FixedClock(TOKYO, IN_FORCE))
    await apply(pool, case_b.registered(), case_b.suspended(), consumer=registry)
    log = embedded.EmbeddedEventLog(pool, up.publishing(Broadcaster(), OwnAppends()))
    async with pool.acquire() as other, other.transaction():
        # Another relayer is at work on the outbox: it holds the outbox's lock.
        await other.execute("SELECT pg_advisory_xact_lock($1)", OUTBOX.lock_key)
        assert await OUTBOX.relay(pool, log) == 0  # the relay loop's way: leaves it to that one
        waiting = asyncio.create_task(OUTBOX.relay(pool, log, wait=True))
        await asyncio.sleep(0.5)
        assert not waiting.done()
    assert await asyncio.wait_for(waiting, timeout=30) == 1
    assert await pool.fetchval(ANNOUNCED) == 1


async def test_the_announcement_reaches_subscribers_at_the_registrys_commit_and_once(
    pool: asyncpg.Pool,
) -> None:
    registry = consumer(FixedClock(TOKYO, IN_FORCE))
    await apply(pool, case_b.registered(), case_b.suspended(), consumer=registry)
    broadcaster = Broadcaster()
    log = embedded.EmbeddedEventLog(pool, up.publishing(broadcaster, OwnAppends()))
    async with broadcaster.subscribe(("vendor.eligibility_changed",)) as queue:
        async with pool.acquire() as other, other.transaction():
            # The relay loop is at work on the outbox: the registry's relay waits for it.
            await other.execute("SELECT pg_advisory_xact_lock($1)", OUTBOX.lock_key)
            relay = up.relay_announcements(pool, log, Liveness("relays", "job"), broadcaster)
            relaying = asyncio.create_task(relay)
            announced = await asyncio.wait_for(queue.get(), timeout=30)
            assert await pool.fetchval(ANNOUNCED) == 0  # subscribers have it before the log
            assert not relaying.done()
        await asyncio.wait_for(relaying, timeout=30)
        # The log holds the very event the subscribers had; its relayed copy is passed over.
        logged = await pool.fetchval(
            "SELECT envelope::text FROM event_store WHERE event_type = 'vendor.eligibility_changed'"
        )
        assert announced == parse_event(logged)
        assert queue.empty()


async def test_what_ingest_stores_reaches_subscribers_at_its_commit(pool: asyncpg.Pool) -> None:
    broadcaster = Broadcaster()
    accept = up.publishing(broadcaster, OwnAppends())
    registered = case_b.registered()
    async with broadcaster.subscribe((registered["event_type"],)) as queue:
        await accept(pool, [case_b.line(registered)], Writer.PRODUCER)
        # No `follow` runs: the event was handed over by the ingest that stored it.
        assert str(queue.get_nowait().event_id) == registered["event_id"]
        await accept(pool, [case_b.line(registered)], Writer.PRODUCER)  # sent again: once
        assert queue.empty()
