"""Payloads that change only the fields given: written as given, read back as given, so that a
field left out (keep) and a field given as null (clear) still differ after the event store,
Kafka or a rebuild; every other payload is written whole, as it always was."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.events.base import LaterFields, PartialChange, Payload
from services.events.catalog import ENVELOPES, parse_event
from services.platform.eventstore import chain
from services.platform.eventstore.event_store import canonical_json, content_hash
from tests.support.event_examples import VALID_PAYLOADS, envelope

PLAN, ITEM = "migration.plan_configured", "migration.item_configured"


def payload_model(event_type: str) -> type[Payload]:
    model = ENVELOPES[event_type].model_fields["payload"].annotation
    assert isinstance(model, type) and issubclass(model, Payload)
    return model


PARTIAL = sorted(t for t in ENVELOPES if issubclass(payload_model(t), PartialChange))


def stored(event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as the event store (and Kafka) hold it: the event's canonical JSON."""
    text = canonical_json(parse_event(json.dumps(envelope(event_type, payload))))
    written: dict[str, Any] = json.loads(text)["payload"]
    return written


def test_the_configuration_events_are_the_partial_ones() -> None:
    assert PARTIAL == [ITEM, PLAN]


@pytest.mark.parametrize(
    ("event_type", "payload"),
    [
        (PLAN, {"plan_id": "p", "early_penalty": 5}),
        (PLAN, {"plan_id": "p", "deadline_on": None}),
        (ITEM, {"plan_id": "p", "contract_id": "c", "criticality": "internal"}),
        (ITEM, {"plan_id": "p", "contract_id": "c", "earliest_on": None, "deadline_on": None}),
    ],
)
def test_a_change_round_trips_with_exactly_the_fields_given(
    event_type: str, payload: dict[str, Any]
) -> None:
    event = parse_event(json.dumps(envelope(event_type, payload)))
    text = canonical_json(event)
    again = parse_event(text)
    assert json.loads(text)["payload"] == payload  # nothing added, explicit nulls kept
    assert again.payload.model_fields_set == set(payload)
    assert again == event
    # Dump and parse are inverse: a re-hash (verify, rebuild) finds the same content.
    assert canonical_json(again) == text
    assert content_hash(again) == chain.content_hash(text)


@pytest.mark.parametrize("event_type", [PLAN, ITEM])
def test_an_event_stored_with_every_field_is_written_again_with_its_nulls(event_type: str) -> None:
    # The form events had before this rule: every field, a null for each one left out.
    every = dict.fromkeys(payload_model(event_type).model_fields) | VALID_PAYLOADS[event_type]
    event = parse_event(json.dumps(envelope(event_type, every)))
    assert json.loads(canonical_json(event))["payload"] == every
    assert event.payload.model_fields_set == set(every)  # its nulls still clear


@pytest.mark.parametrize("event_type", sorted(set(ENVELOPES) - set(PARTIAL)))
def test_every_other_payload_is_written_whole(event_type: str) -> None:
    # Whole but for fields added later, left at their defaults (test_stored_event_hashes.py).
    model = payload_model(event_type)
    later: frozenset[str] = model.ADDED_LATER if issubclass(model, LaterFields) else frozenset()
    assert set(stored(event_type, VALID_PAYLOADS[event_type])) == set(model.model_fields) - later
