"""Folding one event at a time into a kept state (properties, with hypothesis): the state
built event by event, stored and loaded between events, gives on every day the facts that
folding the whole list for that day gives, out-of-order dates included."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from pydantic import TypeAdapter

from services.events.base import EventEnvelope
from services.risk.domain.facts import VendorState, item_of
from services.risk.domain.fold import facts_on, fold, fold_all, fold_one, stale_items
from tests.support.risk_strategies import VENDOR, days, logs

STATE = TypeAdapter(VendorState)


@settings(max_examples=200, deadline=None)
@given(logs, days)
def test_the_state_event_by_event_answers_every_day_as_folding_the_whole_list(
    log: list[EventEnvelope], day: dt.date
) -> None:
    state = VendorState(VENDOR)
    for event in log:
        # Stored and loaded between events, as between batches.
        state = STATE.validate_json(STATE.dump_json(fold_one(state, event)))
    assert state == fold_all(VENDOR, log)
    assert facts_on(state, day, log) == fold(VENDOR, log, day)


@settings(max_examples=200, deadline=None)
@given(logs, days)
def test_only_the_items_not_counting_yet_need_their_events(
    log: list[EventEnvelope], day: dt.date
) -> None:
    state = fold_all(VENDOR, log)
    stale = stale_items(state, day)
    theirs = [e for e in log if (item := item_of(e.payload)) and item[0] in stale]
    assert facts_on(state, day, theirs) == fold(VENDOR, log, day)
    if not stale:
        assert facts_on(state, day) == fold(VENDOR, log, day)
