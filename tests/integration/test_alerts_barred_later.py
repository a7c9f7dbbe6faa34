"""An award a bar recorded later reaches back to, on a real PostgreSQL: a sanction may be
recorded after the day it starts (or amended to bar at more agencies from a day gone by), and
an award the log had recorded for the vendor on a day it now bars, at an agency and in a
category it covers, was made while barred. The awarding agency is told
(`AWARDED_WHILE_BARRED`, with the contract) when the change is announced, once per award
however often the announcement is applied again, replayed or followed by another bar of that
day. The events go through the event store (tests/support/alert_log.py)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import asyncpg

from services.alerts.changes import RUNNING_CONTRACTS
from tests.support import case_b
from tests.support.alert_events import MINE, THEIRS, TODAY, VENDOR
from tests.support.alert_log import ALERTED, AlertLog, alerted, raised_events
from tests.support.event_examples import envelope, example
from tests.support.registry_db import eligibility

CATEGORY = "information_systems"  # the example contract's


def days_ago(days: int) -> str:
    return str(TODAY - dt.timedelta(days=days))


def award(contract_id: str, agency: str, awarded_days_ago: int, **terms: Any) -> dict[str, Any]:
    """A contract of B awarded by `agency` some days ago, from its award day for a year
    (unless `terms` say otherwise)."""
    dated = {
        "contract_id": contract_id,
        "agency": agency,
        "awarded_on": days_ago(awarded_days_ago),
        "starts_on": days_ago(awarded_days_ago),
        "ends_on": str(TODAY + dt.timedelta(days=365)),
    }
    payload = example("contract.awarded", **{**dated, **terms})
    return envelope("contract.awarded", payload, VENDOR)


def suspension(sanction_id: str, starts_days_ago: int, **changes: Any) -> dict[str, Any]:
    """B suspended from some days ago for six months, decided the day before."""
    return case_b.suspended(
        sanction_id=sanction_id,
        starts_on=days_ago(starts_days_ago),
        decided_on=days_ago(starts_days_ago + 1),
        duration_months=6,
        **changes,
    )


async def test_a_sanction_recorded_after_its_start_tells_of_the_awards_it_bars_once(
    pool: asyncpg.Pool,
) -> None:
    """MINE awards B a contract three days ago (running since); then a suspension is recorded
    that started four days ago. MINE is told of the award as made while barred (the award's
    day, the contract, the suspension, the day it may bid for such a contract at MINE again),
    and, after it, that B is barred; an award before the suspension's start, one at THEIRS in
    construction (a scope the suspension leaves out) tell nothing. Applied again, replayed
    from nothing, or with a second suspension of that day recorded after: no second alert of
    it (the second, in every category, tells of THEIRS's award)."""
    log = AlertLog(pool)
    await log.record(case_b.registered())
    late = award("c-late", MINE, 3)
    await log.record(late)
    await log.record(award("c-before", MINE, 6))
    # Ended yesterday: THEIRS does not watch B.
    await log.record(award("c-works", THEIRS, 3, category="construction", ends_on=days_ago(1)))
    assert await alerted(pool) == []

    sanction = suspension("city-2026-012", 4, categories=[CATEGORY])
    (announced,) = await log.record(sanction)
    told, barred = await pool.fetch(ALERTED)
    expected = await eligibility(pool, VENDOR, days_ago(3), agency=MINE)
    assert (told["agency"], told["change"], told["as_of"]) == (
        MINE,
        "awarded_while_barred",
        TODAY - dt.timedelta(days=3),
    )
    assert told["eligible_again_on"] == expected.eligible_again_on is not None
    assert [r["sanction_id"] for r in json.loads(told["reasons"])] == ["city-2026-012"]
    assert told["watchlists"] == [RUNNING_CONTRACTS]
    assert str(told["cause_event_id"]) == late["event_id"]
    assert (barred["agency"], barred["change"]) == (MINE, "barred")
    assert str(barred["cause_event_id"]) == announced["event_id"]
    events = await raised_events(pool)
    assert events[0]["payload"]["award"] == {
        "contract_id": "c-late",
        "title": "住民記録システム運用保守",
        "category": CATEGORY,
    }

    live = await alerted(pool)
    await log.replay(from_nothing=False)
    await log.replay(from_nothing=True)
    assert await alerted(pool) == live

    # A second suspension barring that day too, in every category: c-late was told already,
    # and c-works is told now.
    await log.record(suspension("city-2026-013", 5))
    rows = await pool.fetch(
        "SELECT agency, change, award ->> 'contract_id' FROM alerts ORDER BY seq"
    )
    assert [tuple(r) for r in rows] == [
        (MINE, "awarded_while_barred", "c-late"),
        (MINE, "barred", None),
        (THEIRS, "awarded_while_barred", "c-works"),
        (MINE, "period_changed", None),
    ]


async def test_an_amendment_reaching_back_to_an_agency_tells_of_its_award_there(
    pool: asyncpg.Pool,
) -> None:
    """A suspension from five days ago at THEIRS only; MINE awards B a contract three days ago
    that ended yesterday (not barred at MINE then, nor watched now). The suspension amended to
    every agency from its first day: MINE is told of the award, though it watches nothing."""
    log = AlertLog(pool)
    await log.record(case_b.registered())
    await log.record(suspension("s-theirs", 5, agencies=[THEIRS]))
    await log.record(award("c-mine", MINE, 3, ends_on=days_ago(1)))
    assert await alerted(pool) == []

    amended = case_b.amended(
        sanction_id="s-theirs", effective_on=days_ago(5), cover_all=["agencies"]
    )
    await log.record(amended)
    (told,) = await alerted(pool)
    assert (told[1], told[3], told[4], told[8]) == (
        MINE,
        "awarded_while_barred",
        TODAY - dt.timedelta(days=3),
        [],
    )


async def test_an_award_told_when_recorded_is_not_told_again_by_a_later_bar(
    pool: asyncpg.Pool,
) -> None:
    """B suspended from yesterday; MINE awards it a contract today, told at once. A second
    suspension recorded later, from a week ago, bars that day too: nothing more of it, but
    the award made two days ago, before the first suspension (its contract ended yesterday),
    is told now; and MINE, watching B from today's award (its contract starts next month),
    hears the bar's new day."""
    log = AlertLog(pool)
    await log.record(case_b.registered())
    await log.record(award("c-early", MINE, 2, ends_on=days_ago(1)))
    await log.record(suspension("s-first", 1))
    await log.record(award("c-today", MINE, 0, starts_on=str(TODAY + dt.timedelta(days=30))))
    assert [(a[3], a[4]) for a in await alerted(pool)] == [("awarded_while_barred", TODAY)]

    await log.record(suspension("s-second", 7))
    assert [(a[3], a[4]) for a in await alerted(pool)] == [
        ("awarded_while_barred", TODAY),
        ("awarded_while_barred", TODAY - dt.timedelta(days=2)),
        ("period_changed", TODAY),
    ]


async def test_announcements_recorded_before_this_was_installed_tell_of_no_award(
    pool: asyncpg.Pool,
) -> None:
    """Installed on a running system, the code finds announcements recorded before it when
    the consumer is applied again: months-old awards must not reach the agencies as news."""
    log = AlertLog(pool)
    await log.record(case_b.registered())
    await log.record(award("c-mine", MINE, 3, ends_on=days_ago(1)))
    await pool.execute("UPDATE alert_installed SET late_bars_at = now() + interval '1 hour'")
    await log.record(suspension("s-late", 4))
    await log.replay(from_nothing=True)
    assert await alerted(pool) == []
