"""The alerts' pure rules: what kind of change an announcement is, alert ids, webhook
signatures as a receiver checks them, and the retries' backoff."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from services.alerts.changes import alert_id, change_of
from services.alerts.retries import retry_delay
from services.alerts.signing import SIGNATURE_HEADER, signature, signature_problem
from services.events.alerts import AlertChange

SECRET, BODY, NOW = b"s3cret", b'{"alert_id":"a","change":"barred"}', 1_764_600_000


@pytest.mark.parametrize(
    ("previous", "eligible", "change"),
    [
        (None, False, AlertChange.BARRED),  # a vendor starts eligible
        ((True, None), False, AlertChange.BARRED),
        ((False, dt.date(2027, 1, 1)), False, AlertChange.PERIOD_CHANGED),
        ((False, None), False, AlertChange.PERIOD_CHANGED),
        ((False, dt.date(2027, 1, 1)), True, AlertChange.LIFTED),
    ],
)
def test_the_kind_of_change_follows_the_previous_announcement(
    previous: tuple[bool, dt.date | None] | None, eligible: bool, change: AlertChange
) -> None:
    assert change_of(previous, eligible) is change


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
