"""A contract awarded to a vendor barred from it on the award day, on a real PostgreSQL: the
registry records the award (a fact), and the awarding agency is told (`AWARDED_WHILE_BARRED`,
with the contract), judged by the contract's agency and category as the registry knew them
when the log recorded the award, once per award however often it is applied again or
replayed. The events go through the event store (tests/support/alert_log.py)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import asyncpg

from services.platform.security.auth import Principal, Role
from tests.support import case_b
from tests.support.alert_events import MINE, THEIRS, TODAY, VENDOR, saved, suspended
from tests.support.alert_log import ALERTED, AlertLog, alerted, raised_events
from tests.support.event_examples import envelope, example
from tests.support.in_process_api import graphql
from tests.support.registry_db import eligibility

CATEGORY = "information_systems"  # the example contract's


def award(agency: str, starts_in_days: int, contract_id: str = "c-award") -> dict[str, Any]:
    """A contract of B awarded by `agency` today, starting in `starts_in_days` days."""
    payload = example(
        "contract.awarded",
        contract_id=contract_id,
        agency=agency,
        awarded_on=str(TODAY),
        starts_on=str(TODAY + dt.timedelta(days=starts_in_days)),
        ends_on=str(TODAY + dt.timedelta(days=365)),
    )
    return envelope("contract.awarded", payload, VENDOR)


AWARD_ALERTS = """{ alerts(first: 5) { edges { node {
  agency vendorId change asOf eligibleAgainOn watchlists causeEventId
  reasons { sanctionId } award { contractId title category } } } } }"""


async def test_an_award_to_a_suspended_vendor_is_recorded_and_told_to_its_agency(
    pool: asyncpg.Pool,
) -> None:
    """B suspended from yesterday; MINE awards it a contract starting next month: the
    registry holds the contract, and MINE is told once, with the contract, the suspension and
    the day B may bid for such a contract at MINE again, as an auditor reads it."""
    log = AlertLog(pool)
    await log.record(case_b.registered())
    sanction = suspended()
    await log.record(sanction)
    awarded = award(MINE, starts_in_days=30)
    await log.record(awarded)

    assert await pool.fetchval("SELECT count(*) FROM registry_contracts") == 1
    (alert,) = await pool.fetch(ALERTED)
    expected = await eligibility(pool, VENDOR, str(TODAY), agency=MINE)
    auditor = Principal("auditor", Role.AUDITOR, ())
    (edge,) = (await graphql(pool, auditor, AWARD_ALERTS))["data"]["alerts"]["edges"]
    assert edge["node"] == {
        "agency": MINE,
        "vendorId": VENDOR,
        "change": "AWARDED_WHILE_BARRED",
        "asOf": str(TODAY),
        "eligibleAgainOn": str(expected.eligible_again_on),
        # Watched from the award, though the contract runs from next month.
        "watchlists": ["running contracts"],
        "causeEventId": awarded["event_id"],
        "reasons": [{"sanctionId": sanction["payload"]["sanction_id"]}],
        "award": {
            "contractId": "c-award",
            "title": "住民記録システム運用保守",
            "category": CATEGORY,
        },
    }
    # Its event (and so the webhook's body) carries the contract.
    (raised,) = await raised_events(pool)
    assert raised["event_id"] == str(alert["alert_id"])
    assert raised["payload"]["change"] == "awarded_while_barred"
    assert raised["payload"]["award"] == {
        "contract_id": "c-award",
        "title": "住民記録システム運用保守",
        "category": CATEGORY,
    }

    await log.replay(from_nothing=False)
    await log.replay(from_nothing=True)
    assert await alerted(pool) == [tuple(alert)]


async def test_an_award_running_at_once_is_told_once_and_a_list_after_it_tells_nothing(
    pool: asyncpg.Pool,
) -> None:
    """The contract runs from today: MINE watches B through it from the award, and is told of
    the award alone (not of the bar a second time); a list MINE saves naming B after it tells
    nothing more."""
    log = AlertLog(pool)
    await log.record(case_b.registered())
    await log.record(suspended())
    await log.record(award(MINE, starts_in_days=0))
    await log.record(saved(MINE, "bidders", [VENDOR]))
    rows = await pool.fetch("SELECT change, watchlists FROM alerts")
    assert [tuple(r) for r in rows] == [("awarded_while_barred", ["running contracts"])]


async def test_an_award_is_judged_by_its_agency_and_category_as_known_when_recorded(
    pool: asyncpg.Pool,
) -> None:
    """Nothing is told of an award as irregular when the log records it if B was not barred
    from it then: a suspension from construction contracts only, or one at THEIRS only (the
    first award puts B on MINE's automatic watchlist, barred at MINE from construction: told
    that, `ALREADY_BARRED`). One recorded after the award, dated to cover its day, tells of it
    when it is announced (test_alerts_barred_later.py). One recorded before an award and
    lifted after, from the award's day, still tells of it in a replay: the registry knew it
    then."""
    log = AlertLog(pool)
    start = TODAY - dt.timedelta(days=1)
    dates: dict[str, Any] = {
        "starts_on": str(start),
        "decided_on": str(start - dt.timedelta(days=1)),
    }
    await log.record(case_b.registered())
    await log.record(case_b.suspended(sanction_id="s-works", categories=["construction"], **dates))
    await log.record(case_b.suspended(sanction_id="s-theirs", agencies=[THEIRS], **dates))
    c_1 = award(MINE, 30, "c-1")
    await log.record(c_1)
    assert [(a[3], str(a[9])) for a in await alerted(pool)] == [("already_barred", c_1["event_id"])]

    c_2 = award(MINE, 30, "c-2")
    await log.record(c_2)
    await log.record(case_b.suspended(sanction_id="s-later", **dates))
    # Told by s-later's announcement, which reaches back to their day.
    told = await _awards_told(pool)
    assert told[1] == ("awarded_while_barred", c_2["event_id"])

    c_3 = award(MINE, 30, "c-3")
    await log.record(c_3)
    await log.record(case_b.lifted(str(TODAY), sanction_id="s-later"))
    live = await alerted(pool)
    awards_told = [a for a in live if a[3] == "awarded_while_barred"]
    assert [json.loads(a[6])[0]["sanction_id"] for a in awards_told] == ["s-later"] * 3
    assert str(awards_told[2][9]) == c_3["event_id"]
    await log.replay(from_nothing=True)
    assert await alerted(pool) == live


async def _awards_told(pool: asyncpg.Pool) -> list[tuple[str, str]]:
    """The awards told as made while barred, with the award's event id, in order."""
    return [(a[3], str(a[9])) for a in await alerted(pool) if a[3] == "awarded_while_barred"]
