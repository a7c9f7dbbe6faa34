"""Dates outside 1868–2999 are refused at the door, before they can break period arithmetic
or PostgreSQL downstream and stall a consumer."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from services.events.catalog import EventRejected, parse_event
from services.events.sanction import SanctionImposed
from tests.support import case_b


def _with(event: dict[str, object], **changes: object) -> bytes:
    return json.dumps({**event, **changes}).encode()


@pytest.mark.parametrize("occurred_at", ["0001-01-01T00:00:00+09:00", "3000-01-01T00:00:00Z"])
def test_implausible_occurred_at_is_refused(occurred_at: str) -> None:
    with pytest.raises(EventRejected, match=r"occurred_at: .*outside 1868–2999"):
        parse_event(_with(case_b.registered(), occurred_at=occurred_at))


def test_far_future_sanction_start_is_refused() -> None:
    event = case_b.suspended()
    payload = {**event["payload"], "decided_on": "9999-05-01", "starts_on": "9999-06-01"}
    with pytest.raises(EventRejected, match=r"payload\.starts_on: .*year 9999"):
        parse_event(_with(event, payload=payload))


def test_boundary_years_are_accepted() -> None:
    """The bounds' own years are taken, and read as the dates they say."""
    first = parse_event(_with(case_b.registered(), occurred_at="1868-01-01T00:00:00+09:00"))
    assert first.occurred_at == dt.datetime(1868, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    event = case_b.suspended()
    payload = {**event["payload"], "decided_on": "2999-01-01", "starts_on": "2999-01-01"}
    last = parse_event(_with(event, payload=payload)).payload
    assert isinstance(last, SanctionImposed)
    assert (last.decided_on, last.starts_on) == (dt.date(2999, 1, 1), dt.date(2999, 1, 1))
