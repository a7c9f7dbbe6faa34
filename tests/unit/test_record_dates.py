"""The days an incident's or a claim's events give must be possible: none still to come
anywhere when the log recorded the event, no investigation, closing or claim before the
incident occurred; a log recorded before the later rules keeps its verdicts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.consuming.consumer import DomainRejection
from services.platform.eventstore.later_rules import LATER_RULES_FROM
from services.registry.batch.rules import Stored, fold
from services.registry.domain.record_dates import future_refusal
from services.registry.domain.reference_rules import IncidentState, Known
from tests.support.event_examples import DROP, envelope, example

# Recorded at 10:30 UTC: already the next day from UTC+13:30 on, only in UTC+14 after 10:00.
RECORDED = dt.datetime(2026, 12, 20, 10, 30, tzinfo=dt.UTC)
OCCURRED = dt.date(2022, 6, 21)  # the example incident's
INCIDENT = ("vendor-b", "inc-2022-usb")


def _event(event_type: str, **changes: Any) -> EventEnvelope:
    return parse_event(json.dumps(envelope(event_type, example(event_type, **changes))))


def _report(reported_on: str) -> EventEnvelope:
    changes = {"contract_id": DROP, "caused_by_vendor_id": DROP}
    return _event("incident.reported", reported_on=reported_on, **changes)


def test_a_day_begun_somewhere_is_accepted_and_one_begun_nowhere_is_not() -> None:
    assert future_refusal(_report("2026-12-21"), RECORDED) is None  # Kiribati's today
    refusal = future_refusal(_report("2026-12-22"), RECORDED)
    assert refusal == "payload.reported_on: 2026-12-22 is in the future"
    settled = _event("claim.settled", settled_on="2026-12-22")
    assert future_refusal(settled, RECORDED) == "payload.settled_on: 2026-12-22 is in the future"
    # Events of other kinds state no such fact: a contract may be awarded to start next year.
    award = _event("contract.awarded", starts_on="2030-04-01", ends_on="2031-03-31")
    assert future_refusal(award, RECORDED) is None


STORED = Stored(
    vendors=frozenset({"vendor-b"}),
    identifier_owners={},
    incidents={INCIDENT: IncidentState(OCCURRED, closed=False)},
    named=Known({"vendor-b"}, {}, {INCIDENT: OCCURRED}),
)
LIVE = LATER_RULES_FROM + dt.timedelta(hours=1)


def _fold(event: EventEnvelope, at: dt.datetime = LIVE) -> None:
    fold([event], STORED, {event.event_id: at}, {})


@pytest.mark.parametrize(
    ("event_type", "field", "refusal"),
    [
        (
            "incident.investigated",
            "investigated_on",
            "payload.investigated_on: 2022-06-20 is before the incident occurred, on 2022-06-21",
        ),
        (
            "incident.closed",
            "closed_on",
            "payload.closed_on: 2022-06-20 is before the incident occurred, on 2022-06-21",
        ),
        (
            "claim.filed",
            "filed_on",
            "payload.filed_on: 2022-06-20 is before incident 'inc-2022-usb' occurred,"
            " on 2022-06-21",
        ),
    ],
)
def test_nothing_follows_an_incident_before_it_occurred(
    event_type: str, field: str, refusal: str
) -> None:
    def dated(day: str) -> EventEnvelope:
        return _event(event_type, **{field: day, "contract_id": DROP})

    with pytest.raises(DomainRejection) as refused:
        _fold(dated("2022-06-20"))
    assert str(refused.value) == refusal
    _fold(dated("2022-06-21"))  # the day it occurred is possible
    _fold(dated("2022-06-20"), LATER_RULES_FROM - dt.timedelta(seconds=1))  # judged as then
