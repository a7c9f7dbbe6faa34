"""What each agency is told, on a real PostgreSQL: only when what bars the vendor *there*
changes (a sanction widened to every agency is news only where it now bars); the day it may
bid there again, and a later sanction that makes that day; a lift that leaves a bar to come
says it; an alert applied again after a lift gives the day it gave live."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import asyncpg
import pytest

from services.alerts import setup as alerts_setup
from services.platform.security.auth import Principal, Role
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.alert_announcing import announce
from tests.support.alert_events import MINE, THEIRS, TODAY, VENDOR, contract, saved, suspended
from tests.support.alert_log import AlertLog, alerted
from tests.support.in_process_api import graphql
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres


async def _watched_by_both(pool: asyncpg.Pool) -> Any:
    """B registered, with a contract at MINE and on THEIRS's saved list; the alerts
    consumer that saw the list."""
    consumer = alerts_setup.consumer(Settings(database_url="unused"))
    await apply(pool, case_b.registered(), contract(MINE))
    await apply(pool, saved(THEIRS, "bidders 2026-04", [VENDOR]), consumer=consumer)
    return consumer


def _suspended_at(agency: str, **changes: Any) -> dict[str, Any]:
    """B suspended at one agency from yesterday, decided the day before."""
    start = TODAY - dt.timedelta(days=1)
    decided = str(start - dt.timedelta(days=1))
    return case_b.suspended(starts_on=str(start), decided_on=decided, agencies=[agency], **changes)


async def test_an_agency_is_alerted_only_when_what_bars_the_vendor_there_changes(
    pool: asyncpg.Pool,
) -> None:
    """A sanction scoped to one agency alerts that agency alone; a second one, scoped to the
    other, alerts only the other (the first's reasons there are unchanged); lifting the first
    tells the first agency it may take the vendor again, and no one else."""
    consumer = await _watched_by_both(pool)
    mine = _suspended_at(MINE)
    theirs = _suspended_at(THEIRS, sanction_id="tax-2026-002", duration_months=6)
    await announce(pool, consumer, mine)
    await announce(pool, consumer, theirs)
    await announce(pool, consumer, case_b.lifted(str(TODAY)))

    rows = await pool.fetch(
        "SELECT agency, change, eligible_again_on, reasons FROM alerts ORDER BY seq"
    )
    assert [(r["agency"], r["change"]) for r in rows] == [
        (MINE, "barred"),
        (THEIRS, "barred"),
        (MINE, "lifted"),
    ]
    assert [[x["sanction_id"] for x in json.loads(r["reasons"])] for r in rows] == [
        [mine["payload"]["sanction_id"]],
        [theirs["payload"]["sanction_id"]],
        [],
    ]
    # Each agency's own day: THEIRS's six months, not the eighteen that bar it at MINE.
    ends = [r["eligible_again_on"] for r in rows]
    assert ends[0] is not None and ends[1] is not None and ends[1] < ends[0]
    assert ends[2] is None


async def test_a_sanction_widened_to_every_agency_alerts_only_where_it_now_bars(
    pool: asyncpg.Pool,
) -> None:
    """Barred at MINE, then the same sanction amended to cover every agency, its period
    unchanged: THEIRS hears of the bar; MINE, barred by the same sanction to the same day
    as before, hears nothing (it heard PERIOD_CHANGED with the same sanction and day)."""
    consumer = await _watched_by_both(pool)
    mine = _suspended_at(MINE)
    await announce(pool, consumer, mine)
    widened = case_b.amended(effective_on=str(TODAY), cover_all=["agencies"])
    assert await announce(pool, consumer, widened)  # a change: THEIRS is barred now

    rows = await pool.fetch("SELECT agency, change, eligible_again_on FROM alerts ORDER BY seq")
    assert [(r["agency"], r["change"]) for r in rows] == [(MINE, "barred"), (THEIRS, "barred")]
    assert rows[0]["eligible_again_on"] == rows[1]["eligible_again_on"] is not None


async def test_an_announcement_seen_before_reasons_were_kept_lifts_where_it_barred(
    pool: asyncpg.Pool,
) -> None:
    """Barred at MINE alone, seen before the alerts kept announcements' reasons (an upgraded
    database: alerts migration 0003 left them null), and MINE never told (it watched the
    vendor only later): the lift tells MINE, where the registry says the vendor was barred
    the day before, and not THEIRS, where it never was."""
    consumer = await _watched_by_both(pool)
    await announce(pool, consumer, _suspended_at(MINE))
    await pool.execute("UPDATE alert_eligibility SET reasons = NULL")
    await pool.execute("DELETE FROM alerts")
    await announce(pool, consumer, case_b.lifted(str(TODAY)))
    rows = await pool.fetch("SELECT agency, change FROM alerts ORDER BY seq")
    assert [(r["agency"], r["change"]) for r in rows] == [(MINE, "lifted")]


EXPLAINED = """query ($vendorId: ID!, $agency: String) {
  bidEligibility(vendor: {vendorId: $vendorId}, agency: $agency) {
    eligibleAgainOn reasons { sanctionId } extendedBy { sanctionId startsOn endsOn }
  }
  alerts(first: 10) { edges { node { agency change eligibleAgainOn reasons { sanctionId }
                                     extendedBy { sanctionId startsOn endsOn } } } }
}"""


def _to_come(sanction_id: str, starts_on: dt.date) -> dict[str, Any]:
    """A suspension at MINE for two months from `starts_on`, decided two days before today."""
    return case_b.suspended(
        sanction_id=sanction_id,
        starts_on=str(starts_on),
        decided_on=str(TODAY - dt.timedelta(days=2)),
        duration_months=2,
        agencies=[MINE],
        policy_override_reason="start aligned to the quarter",
    )


async def test_an_eligible_again_day_a_later_sanction_makes_is_explained_by_it(
    pool: asyncpg.Pool,
) -> None:
    """Barred at MINE for two months from yesterday; a second sanction, recorded first, bars
    it from the 40th day for two months. The alert and `bidEligibility` give the second's
    end as the day it may bid again, and name it in `extendedBy`, where the reasons name only
    the first (the extra days were explained by nothing)."""
    consumer = await _watched_by_both(pool)
    start = TODAY - dt.timedelta(days=1)
    later_start = start + dt.timedelta(days=40)
    later = _to_come("tax-2026-010", later_start)
    # Not in force yet: the vendor stays eligible, and the registry says only what is to come
    # (for migration, which flags a replacement under it); no agency is alerted.
    (said,) = await announce(pool, consumer, later)
    payload = json.loads(said)["payload"]
    assert payload["eligible"], payload
    assert [r["sanction_id"] for r in payload["upcoming"]] == ["tax-2026-010"]
    assert await pool.fetchval("SELECT count(*) FROM alerts") == 0
    first = _suspended_at(MINE, duration_months=2)
    await announce(pool, consumer, first)

    admin = Principal("admin", Role.ADMIN, ())
    answer = await graphql(pool, admin, EXPLAINED, vendorId=VENDOR, agency=MINE)
    assert answer["errors"] == []
    eligibility = answer["data"]["bidEligibility"]
    (alert,) = [e["node"] for e in answer["data"]["alerts"]["edges"]]
    (extending,) = eligibility["extendedBy"]
    later_end = dt.date.fromisoformat(extending["endsOn"])
    assert extending == {
        "sanctionId": "tax-2026-010",
        "startsOn": str(later_start),
        "endsOn": str(later_end),
    }
    assert later_end > start + dt.timedelta(days=90)
    for told in (eligibility, alert):
        assert told["reasons"] == [{"sanctionId": first["payload"]["sanction_id"]}]
        assert told["eligibleAgainOn"] == str(later_end + dt.timedelta(days=1))
        assert told["extendedBy"] == [extending]
    assert (alert["agency"], alert["change"]) == (MINE, "BARRED")
    # The alert.raised event (and so the webhook's body) carries it too.
    (raised,) = await pool.fetch("SELECT event FROM alert_outbox")
    extended_by = json.loads(raised["event"])["payload"]["extended_by"]
    assert [r["sanction_id"] for r in extended_by] == ["tax-2026-010"]


LIFTS = """{ alerts(first: 10) { edges { node {
  agency change eligibleAgainOn upcoming { sanctionId startsOn endsOn } } } } }"""


async def test_a_lift_that_leaves_a_bar_to_come_says_it(pool: asyncpg.Pool) -> None:
    """An exploratory tester's finding: a suspension lifted while a second sanction is
    already recorded to bar the vendor later was told as a plain lift (`eligibleAgainOn`
    null, nothing of what is to come). The lift's alert names the bar to come there, and
    nothing where it does not reach; the alert.raised event (the webhook's body) too."""
    consumer = await _watched_by_both(pool)
    await announce(pool, consumer, _suspended_at(MINE))
    start = TODAY - dt.timedelta(days=1)
    later_start = start + dt.timedelta(days=60)
    later = _to_come("tax-2026-011", later_start)
    await announce(pool, consumer, later)
    await pool.execute("DELETE FROM alert_outbox")
    await announce(pool, consumer, case_b.lifted(str(TODAY)))
    answer = await graphql(pool, Principal("admin", Role.ADMIN, ()), LIFTS)
    assert answer["errors"] == []
    alerts = [e["node"] for e in answer["data"]["alerts"]["edges"]]
    lift = [a for a in alerts if a["change"] == "LIFTED"]
    assert len(lift) == 1 and lift[0]["agency"] == MINE and lift[0]["eligibleAgainOn"] is None
    (to_come,) = lift[0]["upcoming"]
    assert to_come["sanctionId"] == "tax-2026-011" and to_come["startsOn"] == str(later_start)
    assert all(a["upcoming"] == [] for a in alerts if a["change"] != "LIFTED")
    (raised,) = await pool.fetch("SELECT event FROM alert_outbox")
    upcoming = json.loads(raised["event"])["payload"]["upcoming"]
    assert [r["sanction_id"] for r in upcoming] == ["tax-2026-011"]


async def test_an_alert_applied_again_after_a_lift_gives_the_day_it_gave_live(
    pool: asyncpg.Pool,
) -> None:
    """B barred at MINE (its contract), then lifted. The alerts consumer applied again from
    nothing (as a rebuild of the alerts would) gives the BARRED alert the day it gave live:
    the registry's answer for MINE as known when the log recorded the announcement, not as
    known now (after the lift: no day at all)."""
    log = AlertLog(pool)
    await log.record(case_b.registered(), contract(MINE))
    await log.record(suspended())
    await log.record(case_b.lifted(str(TODAY)))
    live = await alerted(pool)
    assert [(a[1], a[3]) for a in live] == [(MINE, "barred"), (MINE, "lifted")]
    assert live[0][5] is not None  # its eligible_again_on
    await log.replay(from_nothing=True)
    assert await alerted(pool) == live
