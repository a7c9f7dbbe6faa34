"""The alerts' pure rules: what an announcement changes for each watching agency, what an
agency starting to watch a barred vendor is told, alert ids, webhook signatures as a receiver
checks them, and the retries' backoff."""

from __future__ import annotations

import datetime as dt
import uuid

from services.alerts.already_barred import already_barred
from services.alerts.changes import AgencyChange, Seen, Told, alert_id, change_at
from services.alerts.retries import retry_delay
from services.alerts.signing import SIGNATURE_HEADER, signature, signature_problem
from services.events.alerts import AlertChange
from services.events.emitted import EligibilityReasonRef
from services.events.sanction import SanctionKind

SECRET, BODY, NOW = b"s3cret", b'{"alert_id":"a","change":"barred"}', 1_764_600_000


CITY, WATER = "City IT", "Water Bureau"
DAY = dt.date(2026, 4, 1)


def reason(
    sanction_id: str, ends_on: dt.date | None, agencies: list[str] | None
) -> EligibilityReasonRef:
    return EligibilityReasonRef(
        sanction_id=sanction_id,
        kind=SanctionKind.BID_SUSPENSION,
        authority="City procurement office",
        starts_on=DAY,
        ends_on=ends_on,
        agencies=agencies,
    )


def barred(*reasons: EligibilityReasonRef, again: dt.date | None) -> Seen:
    return Seen(False, again, reasons)


CITY_6 = reason("city-1", DAY + dt.timedelta(days=180), [CITY])
WATER_12 = reason("water-1", DAY + dt.timedelta(days=365), ["water bureau"])  # as written
EVERYWHERE = reason("all-1", None, None)
ELIGIBLE = Seen(True, None, ())
AFTER_CITY_6, AFTER_WATER_12 = DAY + dt.timedelta(days=181), DAY + dt.timedelta(days=366)


def test_an_agency_the_sanction_does_not_reach_is_not_alerted() -> None:
    now = barred(CITY_6, again=AFTER_CITY_6)
    assert change_at(None, now, WATER, None, None) is None
    assert change_at(None, now, CITY, AFTER_CITY_6, None) == AgencyChange(
        AlertChange.BARRED, [CITY_6], AFTER_CITY_6
    )


def test_a_second_agencys_sanction_alerts_it_alone_with_its_own_day() -> None:
    # WATER's sanction moves the vendor's own day; CITY's stays (the registry's answer for
    # CITY), as CITY was told: CITY hears nothing.
    before = barred(CITY_6, again=AFTER_CITY_6)
    now = barred(CITY_6, WATER_12, again=AFTER_WATER_12)
    assert change_at(before, now, CITY, AFTER_CITY_6, Told(AFTER_CITY_6)) is None
    assert change_at(before, now, WATER, AFTER_WATER_12, None) == AgencyChange(
        AlertChange.BARRED, [WATER_12], AFTER_WATER_12
    )
    # Lifted at WATER, still barred at CITY: WATER may take it again, CITY hears nothing.
    told_water = Told(AFTER_WATER_12)
    assert change_at(now, before, WATER, None, told_water) == AgencyChange(
        AlertChange.LIFTED, [], None
    )
    assert change_at(now, before, CITY, AFTER_CITY_6, Told(AFTER_CITY_6)) is None


def test_a_sanction_recorded_to_start_later_moves_the_day_it_was_told() -> None:
    # Barred everywhere until CITY_6's end; a second sanction is recorded to start the day after
    # it. The reasons are the same (it is not in force yet); the registry's day for CITY moves,
    # so CITY is told the later day, never a day it is still barred.
    everywhere = reason("all-2", CITY_6.ends_on, None)
    before = barred(everywhere, again=AFTER_CITY_6)
    now = barred(everywhere, again=DAY + dt.timedelta(days=500))
    later = DAY + dt.timedelta(days=500)
    assert change_at(before, now, CITY, later, Told(AFTER_CITY_6)) == AgencyChange(
        AlertChange.PERIOD_CHANGED, [everywhere], later
    )


def test_a_period_changed_at_the_agency_is_alerted_there() -> None:
    longer = reason("city-1", DAY + dt.timedelta(days=365), [CITY])
    before = barred(CITY_6, WATER_12, again=AFTER_WATER_12)
    now = barred(longer, WATER_12, again=AFTER_WATER_12)
    assert change_at(before, now, CITY, AFTER_WATER_12, Told(AFTER_CITY_6)) == AgencyChange(
        AlertChange.PERIOD_CHANGED, [longer], AFTER_WATER_12
    )
    assert change_at(before, now, WATER, AFTER_WATER_12, Told(AFTER_WATER_12)) is None


def test_a_sanction_widened_to_other_agencies_alerts_only_where_it_now_bars() -> None:
    # CITY_6 covers every agency from today (coverAll: [AGENCIES]), same period: CITY, where
    # it barred the vendor already until the day CITY was told, hears nothing; WATER hears
    # of a bar. Narrowed back to CITY: WATER hears of the lift, CITY nothing.
    everywhere = reason("city-1", CITY_6.ends_on, None)
    before = barred(CITY_6, again=AFTER_CITY_6)
    now = barred(everywhere, again=AFTER_CITY_6)
    assert change_at(before, now, CITY, AFTER_CITY_6, Told(AFTER_CITY_6)) is None
    assert change_at(before, now, WATER, AFTER_CITY_6, None) == AgencyChange(
        AlertChange.BARRED, [everywhere], AFTER_CITY_6
    )
    assert change_at(now, before, CITY, AFTER_CITY_6, Told(AFTER_CITY_6)) is None
    assert change_at(now, before, WATER, None, Told(AFTER_CITY_6)) == AgencyChange(
        AlertChange.LIFTED, [], None
    )
    # What bars it at CITY does change with its categories: CITY is told.
    narrower = CITY_6.model_copy(update={"categories": ["printing"]})
    assert change_at(
        before, barred(narrower, again=AFTER_CITY_6), CITY, AFTER_CITY_6, Told(AFTER_CITY_6)
    ) == AgencyChange(AlertChange.PERIOD_CHANGED, [narrower], AFTER_CITY_6)


def test_an_indefinite_sanction_has_no_day() -> None:
    now = barred(CITY_6, EVERYWHERE, again=None)
    change = change_at(ELIGIBLE, now, CITY, None, None)
    assert change is not None and change.eligible_again_on is None
    assert change.reasons == [CITY_6, EVERYWHERE]


def test_an_announcement_seen_before_reasons_were_kept_is_compared_with_what_was_told() -> None:
    # Where the vendor was barred is unknown: each agency is told after its last alert. One
    # told it was barred hears of the change, or of the lift; one never told (or told of a
    # lift) hears of a bar as new, and of no lift.
    unknown_barred = Seen(False, AFTER_CITY_6, None)
    now = barred(WATER_12, again=AFTER_WATER_12)
    told_barred = Told(AFTER_CITY_6)
    assert change_at(unknown_barred, now, WATER, AFTER_WATER_12, told_barred) == AgencyChange(
        AlertChange.PERIOD_CHANGED, [WATER_12], AFTER_WATER_12
    )
    assert change_at(unknown_barred, now, WATER, AFTER_WATER_12, None) == AgencyChange(
        AlertChange.BARRED, [WATER_12], AFTER_WATER_12
    )
    assert change_at(unknown_barred, ELIGIBLE, CITY, None, told_barred) == AgencyChange(
        AlertChange.LIFTED, [], None
    )
    assert change_at(unknown_barred, ELIGIBLE, CITY, None, None) is None
    assert change_at(unknown_barred, ELIGIBLE, CITY, None, Told(None, barred=False)) is None
    assert change_at(Seen(True, None, None), now, CITY, None, None) is None


def test_an_agency_starting_to_watch_a_barred_vendor_is_told_of_the_bar_unless_it_was() -> None:
    # Told at once, with the bar's reasons and day there; nothing when it may bid there.
    assert already_barred([CITY_6], AFTER_CITY_6, None) == AgencyChange(
        AlertChange.ALREADY_BARRED, [CITY_6], AFTER_CITY_6
    )
    assert already_barred([], None, None) is None
    # Its last alert said this very bar (an earlier save of the list, another list, its
    # contract's announcement): nothing new. The agencies a reason names do not count.
    told = Told(AFTER_CITY_6, True, (CITY_6.model_copy(update={"agencies": None}),))
    assert already_barred([CITY_6], AFTER_CITY_6, told) is None
    # Anything else it was told is not this bar: another day, other sanctions, a lift.
    for stale in (
        Told(AFTER_WATER_12, True, (CITY_6,)),
        Told(AFTER_CITY_6, True, (CITY_6, WATER_12)),
        Told(None, barred=False),
    ):
        assert already_barred([CITY_6], AFTER_CITY_6, stale) == AgencyChange(
            AlertChange.ALREADY_BARRED, [CITY_6], AFTER_CITY_6
        )


def test_an_announcement_of_a_bar_the_agency_was_told_as_it_started_watching_tells_nothing() -> (
    None
):
    # A list saved between a sanction and its announcement: the list's alert told the bar;
    # the announcement, which finds the list, tells nothing more, unless the bar differs.
    now = barred(CITY_6, again=AFTER_CITY_6)
    told = Told(AFTER_CITY_6, True, (CITY_6,))
    assert change_at(ELIGIBLE, now, CITY, AFTER_CITY_6, told) is None
    assert change_at(None, now, CITY, AFTER_CITY_6, told) is None
    later = Told(AFTER_WATER_12, True, (CITY_6,))
    assert change_at(ELIGIBLE, now, CITY, AFTER_CITY_6, later) == AgencyChange(
        AlertChange.BARRED, [CITY_6], AFTER_CITY_6
    )


def test_an_alert_id_is_the_same_for_one_change_and_agency_only() -> None:
    change, other = uuid.uuid4(), uuid.uuid4()
    assert alert_id("市民課", change) == alert_id("市民課", change)
    assert (
        len({alert_id("市民課", change), alert_id("税務課", change), alert_id("市民課", other)})
        == 3
    )
    # An import report's candidates: one alert per line and candidate (a tie names two).
    tie = {alert_id("市民課", change, "40:vendor-b"), alert_id("市民課", change, "40:vendor-c")}
    assert len(tie | {alert_id("市民課", change)}) == 3


def test_a_signature_verifies_on_the_exact_body_only() -> None:
    header = signature(SECRET, NOW, BODY)
    assert header.startswith(f"t={NOW},v1=")
    assert signature_problem(SECRET, header, BODY, NOW + 10) is None
    assert signature_problem(SECRET, header, BODY + b" ", NOW) == (
        f"{SIGNATURE_HEADER}: does not match the body"
    )
    assert signature_problem(b"other", header, BODY, NOW) == (
        f"{SIGNATURE_HEADER}: does not match the body"
    )


def test_an_old_or_malformed_signature_is_refused_saying_why() -> None:
    header = signature(SECRET, NOW, BODY)
    assert signature_problem(SECRET, header, BODY, NOW + 301) == (
        f"{SIGNATURE_HEADER}: signed at {NOW}, more than 300 s from {NOW + 301}"
    )
    assert signature_problem(SECRET, "v1=abc", BODY, NOW) == (
        f"{SIGNATURE_HEADER}: expected t=<unix seconds>,v1=<hex>, got 'v1=abc'"
    )


def test_retries_back_off_exponentially_up_to_the_cap() -> None:
    assert [retry_delay(n, 5.0, 300.0) for n in range(1, 9)] == [
        5.0,
        10.0,
        20.0,
        40.0,
        80.0,
        160.0,
        300.0,
        300.0,
    ]
