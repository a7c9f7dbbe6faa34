"""Which of a batch's events the registry applies set-based, and the refusals it foresees in
the records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.consuming.consumer import DomainRejection
from services.registry.batch.rules import (
    TOGETHER_RECORDS,
    Plan,
    Stored,
    fold,
    plan,
    record_columns,
    record_json,
    registrations,
    vendors_to_screen,
)
from services.registry.domain.names import IdentifierKey
from services.registry.domain.reference_rules import IncidentState, Known
from tests.support.event_examples import envelope, example

RECORDED = dt.datetime(2023, 3, 1, 9, tzinfo=dt.UTC)
NOTHING_NAMED = Known(registered=(), contract_owners={}, incidents={})
NOTHING_STORED = Stored(
    vendors=frozenset(), identifier_owners={}, incidents={}, named=NOTHING_NAMED
)


def _event(event_type: str, vendor_id: str, **changes: Any) -> EventEnvelope:
    return parse_event(json.dumps(envelope(event_type, example(event_type, **changes), vendor_id)))


def _registered(vendor_id: str, internal: str = "") -> EventEnvelope:
    identifiers = [{"scheme": "internal", "value": internal or vendor_id.upper()}]
    return _event("vendor.registered", vendor_id, identifiers=identifiers)


def _contract(vendor_id: str, contract_id: str = "c-1") -> EventEnvelope:
    return _event("contract.awarded", vendor_id, contract_id=contract_id)


def _sanction(vendor_id: str) -> EventEnvelope:
    return _event("sanction.imposed", vendor_id)


def _renamed(vendor_id: str) -> EventEnvelope:
    return _event("vendor.renamed", vendor_id)


def _affiliation(vendor_id: str, related: str) -> EventEnvelope:
    return _event("vendor.affiliation_changed", vendor_id, related_vendor_id=related)


def _fold(*events: EventEnvelope, stored: Stored = NOTHING_STORED) -> None:
    fold(events, stored, {e.event_id: RECORDED for e in events}, registrations(events))


def test_frequent_events_all_go_together() -> None:
    events = [_registered("v-1"), _contract("v-1"), _event("incident.reported", "v-1")]
    assert plan(events, {}).together == tuple(events)
    assert vendors_to_screen(events) == []


def test_an_event_waits_for_an_earlier_one_applied_alone_about_its_vendor() -> None:
    renamed, mine, other = _renamed("v-1"), _contract("v-1"), _contract("v-2", "c-2")
    split = plan([renamed, mine, other], {})
    assert (split.together, split.one_by_one) == ((other,), (renamed, mine))


def test_a_registration_waits_for_an_earlier_event_about_its_stored_affiliate() -> None:
    affiliation, registration = _affiliation("v-1", "v-3"), _registered("v-2")
    assert vendors_to_screen([affiliation, registration]) == ["v-2"]
    split = plan([affiliation, registration], {"v-2": {"v-1"}})
    assert split.one_by_one == (affiliation, registration)
    assert plan([affiliation, registration], {}).together == (registration,)


def test_sanction_events_go_set_based_after_the_records_even_before_their_vendors_records() -> None:
    registration, sanction, contract = _registered("v-1"), _sanction("v-1"), _contract("v-1")
    lift = _event("sanction.lifted", "v-1")
    split = plan([registration, sanction, contract, lift], {})
    assert split == Plan((registration, contract), (sanction, lift), ())
    assert vendors_to_screen([registration, sanction]) == ["v-1"]


def test_a_sanction_event_waits_for_an_earlier_event_about_a_vendor_it_rescreens() -> None:
    renamed, sanction = _renamed("v-2"), _sanction("v-1")
    affiliates = {"v-1": {"v-2"}, "v-2": {"v-1"}}
    assert plan([renamed, sanction], affiliates).one_by_one == (renamed, sanction)
    assert plan([renamed, sanction], {}).sanctions == (sanction,)


def test_sanction_events_wait_once_an_event_applied_alone_may_have_announced() -> None:
    """Set-based, the announcement would be written before the earlier one's."""
    affiliation, sanction = _affiliation("v-5", "v-6"), _sanction("v-1")
    assert plan([affiliation, sanction], {}).one_by_one == (affiliation, sanction)
    renamed = _renamed("v-5")  # announces nothing
    assert plan([renamed, sanction], {}).sanctions == (sanction,)


def test_a_registration_of_a_vendor_a_set_based_sanction_rescreens_waits_for_it() -> None:
    sanction, own, affiliate = _sanction("v-1"), _registered("v-1"), _registered("v-2")
    split = plan([sanction, own, affiliate], {"v-1": {"v-2"}, "v-2": {"v-1"}})
    assert split == Plan((), (sanction,), (own, affiliate))
    assert plan([sanction, affiliate], {}).together == (affiliate,)


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


def test_a_registration_again_is_refused_in_the_handler_s_words() -> None:
    """The batch's refusal in the words of the handler and the receipt (record_ids.py), so
    that a vendor registered twice reads alike whichever path found it (a reviewer's finding)."""
    stored = dataclasses.replace(NOTHING_STORED, vendors=frozenset({"v-1"}))
    said = "vendor_id: 'v-1' is already registered; send vendor.updated to change it"
    with pytest.raises(DomainRejection) as refused:
        _fold(_registered("v-1", "Y"), stored=stored)
    assert refused.value.reason == said
    with pytest.raises(DomainRejection) as refused:
        _fold(_registered("v-1"), _registered("v-1", "Y"))
    assert refused.value.reason == said


def test_stored_state_counts() -> None:
    stored = Stored(
        vendors=frozenset({"v-1"}),
        identifier_owners={IdentifierKey("internal", "X"): "v-1"},
        incidents={("v-1", "inc-2022-usb"): IncidentState(dt.date(2022, 6, 21), closed=True)},
        named=NOTHING_NAMED,
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
    writes = fold(
        events, NOTHING_STORED, {e.event_id: RECORDED for e in events}, registrations(events)
    )
    (step,) = writes.incident_steps.values()
    assert (step["status"], step["summary"], step["closed_on"]) == (
        "closed",
        "Second.",
        "2022-11-28",
    )
    (report,) = writes.records["registry_incidents"].rows
    assert json.loads(report)["incident_id"] == "inc-2022-usb"


# A text field of each record, given quotes, a backslash and kana.
_TEXT_FIELDS = {
    "certificate.submitted": "issued_by",
    "claim.filed": "description",
    "contract.awarded": "title",
    "incident.reported": "description",
}


@pytest.mark.parametrize("event_type", sorted(TOGETHER_RECORDS))
def test_a_record_row_is_what_the_payload_says(event_type: str) -> None:
    """A new record's row, written by the payload's serializer once, holds the columns and
    JSON values its model gives, as the row made from `model_dump` did."""
    event = _event(event_type, "v-1", **{_TEXT_FIELDS[event_type]: 'a "b" \\ 株式会社'})
    row = json.loads(record_json(event))
    assert list(row) == list(record_columns(event))
    assert row == {
        "vendor_id": "v-1",
        **event.payload.model_dump(mode="json"),
        "event_id": str(event.event_id),
    }
    assert row[_TEXT_FIELDS[event_type]] == 'a "b" \\ 株式会社'
