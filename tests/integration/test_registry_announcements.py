"""Eligibility changes are announced once, at the right local date, event or no event; the
change feed lists every vendor to re-check."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import asyncpg
import pytest

from services.events.catalog import parse_event
from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import EmbeddedEventLog
from services.registry.announcements import OUTBOX, reconcile_due, record_changes
from services.registry.handlers import RegistryHandlers
from services.registry.jobs import calendar
from services.registry.policy_loading import load_policies
from services.registry.reads import queries
from tests.support import case_b
from tests.support.in_process_api import over_http
from tests.support.principals import token
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
    await _calendar_passes(pool, "2022-07-02")  # nothing changed since it was recorded
    await _calendar_passes(pool, case_b.SUSPENSION_START)
    await _calendar_passes(pool, case_b.LAST_SUSPENDED_DAY)
    await _calendar_passes(pool, case_b.ELIGIBLE_AGAIN)
    announced = [
        (e["payload"]["as_of"], e["payload"]["eligible"], len(e["payload"].get("upcoming", [])))
        for e in await outbox(pool)
    ]
    # Recorded, not yet in force: eligible, and said to be barred later (migration flags a
    # replacement it will bar); then the calendar starts and ends it.
    assert announced == [
        ("2022-07-01", True, 1),
        (case_b.SUSPENSION_START, False, 0),
        (case_b.ELIGIBLE_AGAIN, True, 0),
    ]


async def test_a_state_saved_before_upcoming_bars_were_kept_says_them_once(
    pool: asyncpg.Pool,
) -> None:
    """An upgraded registry holds no upcoming bars for its vendors (null), compared as none:
    a vendor with bars to come is announced once, saying them (migration must hear of a bar
    recorded before the upgrade that a replacement chosen then is under; alerts raise nothing
    for a change of these alone), and not again."""
    registry = consumer(clock("2022-07-01"))
    await apply(pool, case_b.registered(), case_b.suspended(), consumer=registry)
    await pool.execute("DELETE FROM registry_outbox")
    await pool.execute("UPDATE registry_eligibility_state SET upcoming = NULL")
    await _calendar_passes(pool, "2022-07-02")
    (said,) = await outbox(pool)
    assert said["payload"]["eligible"] is True
    assert [r["sanction_id"] for r in said["payload"]["upcoming"]] == ["city-2022-001"]
    kept = await pool.fetchval("SELECT upcoming FROM registry_eligibility_state")
    assert "city-2022-001" in kept
    await pool.execute("DELETE FROM registry_outbox")
    await _calendar_passes(pool, "2022-07-03")
    assert await outbox(pool) == []


async def test_announcements_reach_the_event_log_once(pool: asyncpg.Pool) -> None:
    await apply(
        pool, case_b.registered(), case_b.suspended(), consumer=consumer(clock("2023-03-01"))
    )
    log = EmbeddedEventLog(pool, ingest_batch)
    assert await OUTBOX.relay(pool, log) == 1
    assert await OUTBOX.relay(pool, log) == 0
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


async def test_a_cursor_the_feed_never_gave_is_refused_and_its_end_polls_empty(
    pool: asyncpg.Pool,
) -> None:
    """A screening client's cursor past the feed's end (mistyped, or kept from another
    database) was answered with an empty page and given back as the next cursor: every
    change written before that position would have been skipped, in silence."""
    registry = consumer(clock("2023-03-01"))
    await apply(pool, case_b.registered(), consumer=registry)
    async with pool.acquire() as conn:
        end = (await queries.changes_since(conn, None, 100)).cursor
        polled = await queries.changes_since(conn, end, 100)
        xid, seq = map(int, end.split("."))
        for made_up in (f"{xid + 1000}.{seq + 1000}", f"{xid}.{seq + 1}", f"{xid - 1}.{seq}"):
            with pytest.raises(
                queries.RegistryQueryError, match=rf"^since: '{made_up}' names no position"
            ):
                await queries.changes_since(conn, made_up, 100)
    # The current end: an empty page, and the same cursor to poll with again.
    assert (polled.changes, polled.cursor, polled.has_more) == ([], end, False)
    past_end = f"{xid + 1000}.{seq + 1000}"
    query = f'{{ registryChanges(since: "{past_end}") {{ cursor }} }}'
    refused = (await over_http(pool, token(), query))["errors"]
    assert [(e["extensions"]["code"], e["path"]) for e in refused] == [
        ("BAD_USER_INPUT", ["registryChanges"])
    ]
    assert refused[0]["message"].startswith(f"since: '{past_end}' names no position")
    await apply(pool, case_b.another_vendor("vendor-c"), consumer=registry)
    async with pool.acquire() as conn:
        later = await queries.changes_since(conn, end, 100)
    assert [(c.vendor_id, c.kind) for c in later.changes] == [("vendor-c", "identity")]


async def test_the_feed_never_passes_a_change_still_being_written(pool: asyncpg.Pool) -> None:
    """A change numbered earlier but committed later must not fall behind a reader's cursor."""
    await apply(pool, case_b.registered(), consumer=consumer(clock("2023-03-01")))
    async with pool.acquire() as conn:
        start = (await queries.changes_since(conn, None, 100)).cursor
    async with pool.acquire() as slow:
        transaction = slow.transaction()
        await transaction.start()
        moment = clock("2023-03-01").now()
        await record_changes(slow, ["vendor-slow"], "eligibility", moment)  # lower seq, open
        async with pool.acquire() as fast, fast.transaction():
            await record_changes(fast, ["vendor-fast"], "eligibility", moment)
        async with pool.acquire() as reader:
            meanwhile = await queries.changes_since(reader, start, 100)
        await transaction.commit()
    async with pool.acquire() as reader:
        later = await queries.changes_since(reader, meanwhile.cursor, 100)
    seen = [c.vendor_id for c in [*meanwhile.changes, *later.changes]]
    assert sorted(seen) == ["vendor-fast", "vendor-slow"]


async def test_a_calendar_run_waits_for_a_sanction_being_applied(pool: asyncpg.Pool) -> None:
    """The daily re-evaluation and a sanction event for the same vendor do not overwrite each
    other's announced state: the later one sees what the earlier one committed."""
    await apply(pool, case_b.registered(), consumer=consumer(clock("2023-02-28")))
    handlers = RegistryHandlers(clock("2023-03-01"), load_policies())
    event = parse_event(case_b.line(case_b.suspended()))
    async with pool.acquire() as applying:
        transaction = applying.transaction()
        await transaction.start()
        await handlers.sanction_imposed(applying, event)
        calendar = asyncio.create_task(_calendar_passes(pool, "2023-03-01"))
        await asyncio.sleep(0.3)
        assert not calendar.done()  # it waits for the announced state being changed
        await transaction.commit()
    await calendar
    state = await pool.fetchval(
        "SELECT eligible FROM registry_eligibility_state WHERE vendor_id = $1", case_b.VENDOR
    )
    assert state is False
    assert [e["payload"]["eligible"] for e in await outbox(pool)] == [False]


async def test_the_jobs_announce_the_calendar_and_relay_to_the_log(pool: asyncpg.Pool) -> None:
    await apply(
        pool, case_b.registered(), case_b.suspended(), consumer=consumer(clock("2022-07-01"))
    )
    await calendar(pool, clock(case_b.SUSPENSION_START))
    await OUTBOX.relay_all(pool, EmbeddedEventLog(pool, ingest_batch))
    assert await outbox(pool) == []
    stored = await pool.fetch(
        "SELECT envelope FROM event_store WHERE event_type = 'vendor.eligibility_changed'"
        " ORDER BY position"
    )
    said = [json.loads(r["envelope"])["payload"] for r in stored]
    # Recorded on 2022-07-01 to begin on the 9th (said to come), then in force.
    assert [(p["as_of"], p["eligible"]) for p in said] == [
        ("2022-07-01", True),
        (case_b.SUSPENSION_START, False),
    ]


async def test_a_sanction_barring_the_vendor_somewhere_new_is_announced(
    pool: asyncpg.Pool,
) -> None:
    """A second sanction, scoped to another agency, with the same days: eligible and eligible
    again on stay the same, but the vendor is now barred there too, which migration and the
    agencies' alerts learn only from an announcement. So are its scope widened, and a state
    announced before the reasons were kept (compared without them, not said again)."""
    registry = consumer(clock("2023-03-01"))
    city = case_b.suspended(agencies=["City IT"])
    water = case_b.suspended(sanction_id="water-2022-007", agencies=["Water Bureau"])
    await apply(pool, case_b.registered(), city, consumer=registry)
    await apply(pool, water, consumer=registry)
    first, second = await outbox(pool)
    assert [r["sanction_id"] for r in first["payload"]["reasons"]] == ["city-2022-001"]
    assert sorted(r["sanction_id"] for r in second["payload"]["reasons"]) == [
        "city-2022-001",
        "water-2022-007",
    ]
    assert second["payload"]["eligible_again_on"] == first["payload"]["eligible_again_on"]
    await _calendar_passes(pool, "2023-03-02")  # nothing changed: nothing more announced
    assert len(await outbox(pool)) == 2

    await apply(
        pool,
        case_b.amended(agencies=["City IT", "Parks"], effective_on="2023-03-01"),
        consumer=registry,
    )
    *_, widened = await outbox(pool)
    assert widened["event_id"] != second["event_id"]
    (city_reason,) = [
        r
        for r in widened["payload"]["reasons"]
        if r["sanction_id"] == city["payload"]["sanction_id"]
    ]
    assert city_reason["agencies"] == ["City IT", "Parks"]

    await pool.execute("UPDATE registry_eligibility_state SET barring = NULL")
    await _calendar_passes(pool, "2023-03-03")
    assert len(await outbox(pool)) == 3
