"""A Kafka record's key must be its event's vendor_id (pure rule of ingest)."""

from __future__ import annotations

import json

from services.events.catalog import parse_event
from services.ingest.admission import key_problem
from tests.support.event_examples import envelope

EVENT = parse_event(json.dumps(envelope("vendor.registered", {"legal_name": "B K.K."}, "vendor-b")))


def test_the_vendor_id_as_key_is_accepted() -> None:
    assert key_problem(b"vendor-b", EVENT) is None


def test_no_key_is_refused_saying_which_key_to_use() -> None:
    problem = key_problem(None, EVENT)
    assert problem is not None and problem.startswith("Kafka key: missing")
    assert "'vendor-b'" in problem


def test_another_vendors_key_is_refused_naming_both() -> None:
    problem = key_problem(b"vendor-c", EVENT)
    assert problem is not None
    assert "'vendor-c' is not the event's vendor_id ('vendor-b')" in problem


def test_a_long_or_undecodable_key_is_quoted_short() -> None:
    problem = key_problem(b"\xff" * 200, EVENT)
    assert problem is not None and len(problem) < 300
