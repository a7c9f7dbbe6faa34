"""Which of a batch's events the registry applies set-based, and the refusals it foresees."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.consumer import DomainRejection
from services.registry.batch.rules import Stored, fold, plan, registrations_to_screen
from services.registry.names import IdentifierKey
from tests.support.event_examples import envelope, example

RECORDED = dt.datetime(2023, 3, 1, 9, tzinfo=dt.UTC)
NOTHING_STORED = Stored(vendors=frozenset(), identifier_owners={}, incidents_closed={})


def _event(event_type: str, vendor_id: str, **changes: Any) -> EventEnvelope:
    return parse_event(json.dumps(envelope(event_type, example(event_type, **changes), vendor_id)))


def _registered(vendor_id: str, internal: str = "") -> EventEnvelope:
    identifiers = [{"scheme": "internal", "value": internal or vendor_id.upper()}]
    return _event("vendor.registered", vendor_id, identifiers=identifiers)


def _contract(vendor_id: str, contract_id: str = "c-1") -> EventEnvelope:
    return _event("contract.awarded", vendor_id, contract_id=contract_id)


def _sanction(vendor_id: str) -> EventEnvelope:
    return _event("sanction.imposed", vendor_id)


def _fold(*events: EventEnvelope, stored: Stored = NOTHING_STORED) -> None:
    fold(events, stored, {e.event_id: RECORDED for e in events})


def test_frequent_events_all_go_together() -> None:
    events = [_registered("v-1"), _contract("v-1"), _event("incident.reported", "v-1")]
    assert plan(events, {}).together == tuple(events)
    assert registrations_to_screen(events) == []


def test_an_event_waits_for_an_earlier_one_applied_alone_about_its_vendor() -> None:
    sanction, mine, other = _sanction("v-1"), _contract("v-1"), _contract("v-2", "c-2")
    split = plan([sanction, mine, other], {})
    assert (split.together, split.one_by_one) == ((other,), (sanction, mine))


def test_a_registration_waits_for_an_earlier_event_about_its_stored_affiliate() -> None:
    sanction, registration = _sanction("v-1"), _registered("v-2")
    assert registrations_to_screen([sanction, registration]) == ["v-2"]
    assert plan([sanction, registration], {"v-2": {"v-1"}}).one_by_one == (sanction, registration)
    assert plan([sanction, registration], {}).together == (registration,)


def test_registrations_wait_for_an_earlier_change_of_identifiers() -> None:
    moved = _event("vendor.updated", "v-1", identifiers=[{"scheme": "internal", "value": "X"}])
    kept = _event("vendor.updated", "v-1")
    registration = _registered("v-2", "X")
    assert plan([moved, registration], {}).one_by_one == (moved, registration)
    assert plan([kept, registration], {}).together == (registration,)


@pytest.mark.parametrize(
    "events",
    [
        pytest.param([_contract("v-1"), _registered("v-1")], id="record before registration"),
        pytest.param([_registered("v-1"), _registered("v-1", "V-1B")], id="registered twice"),
        pytest.param([_registered("v-1", "X"), _registered("v-2", "X")], id="identifier clash"),
        pytest.param(
            [
                _registered("v-1"),
                _event("incident.reported", "v-1"),
                _event("incident.closed", "v-1"),
                _event("incident.investigated", "v-1"),
            ],
            id="closed incident investigated",
        ),
        pytest.param([_registered("v-1"), _event("incident.closed", "v-1")], id="unknown incident"),
    ],
)
def test_a_refusal_in_the_batch_is_foreseen(events: list[EventEnvelope]) -> None:
    with pytest.raises(DomainRejection):
        _fold(*events)


def test_stored_state_counts() -> None:
    stored = Stored(
        vendors=frozenset({"v-1"}),
        identifier_owners={IdentifierKey("internal", "X"): "v-1"},
        incidents_closed={("v-1", "inc-2022-usb"): True},
    )
    with pytest.raises(DomainRejection):
        _fold(_registered("v-2", "X"), stored=stored)
    with pytest.raises(DomainRejection):
        _fold(_event("incident.investigated", "v-1"), stored=stored)
    _fold(_contract("v-1"), stored=stored)


def test_an_incidents_steps_merge_in_log_order() -> None:
    events = [
        _registered("v-1"),
        _event("incident.reported", "v-1"),
        _event("incident.investigated", "v-1", summary="First."),
        _event("incident.investigated", "v-1", summary="Second."),
        _event("incident.closed", "v-1"),
    ]
    writes = fold(events, NOTHING_STORED, {events[0].event_id: RECORDED})
    (step,) = writes.incident_steps.values()
    assert (step["status"], step["summary"], step["closed_on"]) == (
        "closed",
        "Second.",
        "2022-11-28",
    )
    assert [r["incident_id"] for r in writes.records["registry_incidents"]] == ["inc-2022-usb"]
