"""An agency that starts watching a vendor already barred there is told at once, on a real
PostgreSQL: a list saved naming it, or a contract of it awarded and running when the log
recorded the award (`ALREADY_BARRED`), once per bar however often the list is saved, applied
again or replayed, and judged as the registry knew it when the log recorded the save: the
alerts consumer replayed from nothing raises the same alerts. The events go through the event
store (tests/support/alert_log.py), so that each is judged as known when it was recorded."""

from __future__ import annotations

import datetime as dt
import json

import asyncpg

from services.alerts.changes import RUNNING_CONTRACTS
from services.platform.consuming.consumer import apply_serialized_batch
from tests.support import case_b
from tests.support.alert_events import (
    MINE,
    THEIRS,
    TODAY,
    VENDOR,
    contract,
    saved,
    suspended,
    to_start,
)
from tests.support.alert_log import ALERTED, AlertLog, alerted, raised_events
from tests.support.registry_db import eligibility


async def test_a_list_saved_naming_a_vendor_barred_already_tells_its_agency_once(
    pool: asyncpg.Pool,
) -> None:
    """B barred while nobody watched it; THEIRS saves a list naming it: one ALREADY_BARRED,
    with the reasons and the day `bidEligibility` gives for THEIRS; saved again, named by a
    second list, applied again: nothing more; lifted: THEIRS hears it, as it knew of the bar."""
    log = AlertLog(pool)
    await log.record(case_b.registered(), case_b.another_vendor("vendor-c"))
    sanction = suspended()
    await log.record(sanction)
    assert await alerted(pool) == []  # nobody watched B

    bidders = saved(THEIRS, "bidders 2026-04", [VENDOR])
    await log.record(bidders)
    (alert,) = await pool.fetch(ALERTED)
    expected = await eligibility(pool, VENDOR, str(TODAY), agency=THEIRS)
    assert (alert["agency"], alert["vendor_id"], alert["change"]) == (
        THEIRS,
        VENDOR,
        "already_barred",
    )
    assert alert["as_of"] == TODAY
    assert alert["eligible_again_on"] == expected.eligible_again_on is not None
    assert [r["sanction_id"] for r in json.loads(alert["reasons"])] == [
        sanction["payload"]["sanction_id"]
    ]
    assert alert["watchlists"] == ["bidders 2026-04"]
    assert str(alert["cause_event_id"]) == bidders["event_id"]
    # Its event, for the log, the subscription and the webhook.
    (raised,) = await raised_events(pool)
    assert raised["payload"]["change"] == "already_barred"
    assert raised["event_id"] == str(alert["alert_id"])

    # Applied again; the list saved again with another vendor; a second list naming B.
    await apply_serialized_batch(pool, log.alerts, [case_b.line(bidders)])
    await log.record(saved(THEIRS, "bidders 2026-04", [VENDOR, "vendor-c"]))
    await log.record(saved(THEIRS, "shortlist", [VENDOR]))
    assert await alerted(pool) == [tuple(alert)]

    await log.record(case_b.lifted(str(TODAY)))
    assert [(a[1], a[3]) for a in await alerted(pool)] == [
        (THEIRS, "already_barred"),
        (THEIRS, "lifted"),
    ]


async def test_a_contract_running_when_its_award_is_recorded_tells_its_agency_of_a_bar(
    pool: asyncpg.Pool,
) -> None:
    """B barred at every agency from yesterday; a contract of B with MINE, awarded two months
    ago and running, recorded today: MINE is told at once, from its running contracts. A list
    MINE saves naming B after that tells it nothing more."""
    log = AlertLog(pool)
    await log.record(case_b.registered())
    await log.record(suspended())
    award = contract(MINE)
    await log.record(award)
    (alert,) = await pool.fetch(ALERTED)
    assert (alert["agency"], alert["change"], alert["as_of"]) == (MINE, "already_barred", TODAY)
    assert alert["watchlists"] == [RUNNING_CONTRACTS]
    assert str(alert["cause_event_id"]) == award["event_id"]
    await log.record(saved(MINE, "bidders", [VENDOR]))
    assert len(await alerted(pool)) == 1


async def test_a_contract_still_to_start_tells_its_agency_of_a_bar_recorded_before_it_starts(
    pool: asyncpg.Pool,
) -> None:
    """A contract of B with MINE awarded to start next month, then B suspended: MINE is told
    (`BARRED`, from its automatic watchlist), as its migration plan opens for the contract;
    replayed from nothing, the same. It had heard nothing: only a contract already running
    put B on its automatic watchlist (an exploratory tester's finding)."""
    log = AlertLog(pool)
    await log.record(case_b.registered())
    await log.record(to_start(MINE))
    assert await alerted(pool) == []  # B was not barred
    await log.record(suspended())
    live = await alerted(pool)
    assert [(a[1], a[3]) for a in live] == [(MINE, "barred")]
    (alert,) = await pool.fetch(ALERTED)
    assert alert["watchlists"] == [RUNNING_CONTRACTS]
    await log.replay(from_nothing=True)
    assert await alerted(pool) == live


async def test_a_contract_still_to_start_awarded_after_a_bar_tells_its_agency_once_replayed(
    pool: asyncpg.Pool,
) -> None:
    """B suspended while nobody watched it, then a contract of B with MINE, awarded before the
    suspension, to start next month: the award tells MINE at once (`ALREADY_BARRED`), and the
    suspension's announcement replayed from nothing tells nothing of a contract the log
    recorded after it (the registry's contracts as they stand hold it): the same alert."""
    log = AlertLog(pool)
    await log.record(case_b.registered())
    await log.record(suspended())
    assert await alerted(pool) == []
    award = to_start(MINE)
    await log.record(award)
    live = await alerted(pool)
    assert [(a[1], a[3]) for a in live] == [(MINE, "already_barred")]
    (alert,) = await pool.fetch(ALERTED)
    assert str(alert["cause_event_id"]) == award["event_id"]
    await log.replay(from_nothing=True)
    assert await alerted(pool) == live


async def test_a_list_saved_before_the_announcement_of_a_bar_is_told_of_it_once(
    pool: asyncpg.Pool,
) -> None:
    """B suspended, THEIRS's list saved before the registry's announcement reached the log:
    the save tells THEIRS of the bar (the registry knew it), the announcement nothing more."""
    log = AlertLog(pool)
    await log.record(case_b.registered())
    announced = await log.record(suspended(), held=True)
    await log.record(saved(THEIRS, "bidders", [VENDOR]))
    await log.relay(announced)
    assert [(a[1], a[3]) for a in await alerted(pool)] == [(THEIRS, "already_barred")]


async def test_a_list_saved_before_a_sanction_was_recorded_is_not_told_of_it_on_a_replay(
    pool: asyncpg.Pool,
) -> None:
    """THEIRS's list saved before B's suspension (dated from yesterday) was recorded: the
    suspension's announcement tells THEIRS (`BARRED`), the save nothing, live and replayed
    with the registry knowing the suspension all along."""
    log = AlertLog(pool)
    await log.record(case_b.registered())
    await log.record(saved(THEIRS, "bidders", [VENDOR]))
    await log.record(suspended())
    live = await alerted(pool)
    assert [(a[1], a[3]) for a in live] == [(THEIRS, "barred")]
    await log.replay(from_nothing=True)
    assert await alerted(pool) == live


async def test_alerts_replayed_from_nothing_or_an_empty_ledger_tell_each_watch_start_as_live(
    pool: asyncpg.Pool,
) -> None:
    """B barred (MINE told through its contract), THEIRS's list saved then (ALREADY_BARRED),
    saved again while the bar stands (nothing), B lifted (both told), the list saved without
    B. The alerts consumer applied again judges each save as it was judged live: by the
    registry as known when it was recorded, after the alerts raised by then, not after the
    lift recorded later."""
    log = AlertLog(pool)
    await log.record(case_b.registered(), case_b.another_vendor("vendor-c"))
    await log.record(contract(MINE))
    await log.record(suspended())
    await log.record(saved(THEIRS, "bidders", [VENDOR]))
    await log.record(saved(THEIRS, "bidders", [VENDOR, "vendor-c"]))
    await log.record(case_b.lifted(str(TODAY)))
    await log.record(saved(THEIRS, "bidders", ["vendor-c"]))
    live = await alerted(pool)
    assert [(a[1], a[3]) for a in live] == [
        (MINE, "barred"),
        (THEIRS, "already_barred"),
        (MINE, "lifted"),
        (THEIRS, "lifted"),
    ]

    # From nothing, as a rebuild of the alerts would: the same alerts.
    await log.replay(from_nothing=True)
    assert await alerted(pool) == live
    # From an empty ledger, the alerts kept (the lift's among them, and the list as last
    # saved): the same.
    await log.replay(from_nothing=False)
    assert await alerted(pool) == live


async def test_a_vendor_barred_at_another_agency_only_tells_nobody_who_watches_it_here(
    pool: asyncpg.Pool,
) -> None:
    """A suspension scoped to MINE: THEIRS saving a list naming B hears nothing; MINE does."""
    log = AlertLog(pool)
    await log.record(case_b.registered())
    start = TODAY - dt.timedelta(days=1)
    await log.record(
        case_b.suspended(
            starts_on=str(start), decided_on=str(start - dt.timedelta(days=1)), agencies=[MINE]
        )
    )
    await log.record(saved(THEIRS, "bidders", [VENDOR]))
    assert await alerted(pool) == []
    await log.record(saved(MINE, "bidders", [VENDOR]))
    assert [(a[1], a[3]) for a in await alerted(pool)] == [(MINE, "already_barred")]


async def test_saves_and_awards_recorded_before_the_upgrade_tell_nothing(
    pool: asyncpg.Pool,
) -> None:
    """Applied again after the upgrade (offsets expired, a replay), a save or an award the
    consumer before it applied, telling nothing, tells nothing still: months-old awards would
    reach the agencies as news."""
    log = AlertLog(pool)
    await log.record(case_b.registered())
    await log.record(suspended())
    # The code telling of them installed after what follows was recorded.
    await pool.execute("UPDATE alert_installed SET watch_starts_at = now() + interval '1 hour'")
    await log.record(contract(MINE))
    await log.record(saved(THEIRS, "bidders", [VENDOR]))
    assert await alerted(pool) == []


async def test_contracts_still_to_start_recorded_before_the_upgrade_are_told_as_then(
    pool: asyncpg.Pool,
) -> None:
    """A contract of B with MINE to start next month and B's suspension, recorded before the
    code watching contracts still to start (alerts' migration 0017): the consumer before it
    told MINE nothing, and applied again (a backlog, a replay) the same; with THEIRS's contract
    to start, recorded after B was barred and after the upgrade, THEIRS is told at
    once, live and replayed."""
    log = AlertLog(pool)
    await pool.execute("UPDATE alert_installed SET to_start_at = now() + interval '1 hour'")
    await log.record(case_b.registered())
    await log.record(to_start(MINE))
    await log.record(suspended())
    assert await alerted(pool) == []
    await pool.execute("UPDATE alert_installed SET to_start_at = now()")
    await log.record(to_start(THEIRS))
    live = await alerted(pool)
    assert [(a[1], a[3]) for a in live] == [(THEIRS, "already_barred")]
    await log.replay(from_nothing=True)
    assert await alerted(pool) == live


async def test_a_save_s_alert_names_the_watchlists_the_log_held_then_when_replayed(
    pool: asyncpg.Pool,
) -> None:
    """B suspended; MINE saves a list naming it (one ALREADY_BARRED naming that list), then
    awards B a contract to start next month (nothing more: MINE knows of the bar). Replayed
    from nothing, the save's alert names that list alone, as live: the contract the log
    recorded after the save is not read back into it (a reviewer's finding)."""
    log = AlertLog(pool)
    await log.record(case_b.registered())
    await log.record(suspended())
    await log.record(saved(MINE, "bidders", [VENDOR]))
    await log.record(to_start(MINE))
    live = await alerted(pool)
    assert [(a[1], a[3], a[8]) for a in live] == [(MINE, "already_barred", ["bidders"])]
    await log.replay(from_nothing=True)
    assert await alerted(pool) == live
