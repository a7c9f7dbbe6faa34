"""Which of a batch's contract awards the migration service writes set-based, ahead of the
batch's other events."""

from __future__ import annotations

import json
from typing import Any

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.migration.batch.rules import Stored, plan
from tests.support.event_examples import envelope, example

NOTHING_STORED = Stored(barred=frozenset(), known_contracts=frozenset())


def _event(event_type: str, vendor_id: str, **changes: Any) -> EventEnvelope:
    return parse_event(json.dumps(envelope(event_type, example(event_type, **changes), vendor_id)))


def _awarded(vendor_id: str, contract_id: str) -> EventEnvelope:
    return _event("contract.awarded", vendor_id, contract_id=contract_id)


def _split(events: list[EventEnvelope], stored: Stored = NOTHING_STORED) -> tuple[list[str], int]:
    """The contracts written together, and how many events go one by one."""
    split = plan(events, stored)
    return [c.contract_id for c in split.together], len(split.one_by_one)


def test_awards_to_vendors_nothing_bars_go_together_with_their_rows() -> None:
    events = [_awarded("v-1", "c-1"), _awarded("v-2", "c-2"), _awarded("v-1", "c-3")]
    together = plan(events, NOTHING_STORED).together
    assert [(c.contract_id, c.vendor_id) for c in together] == [
        ("c-1", "v-1"),
        ("c-2", "v-2"),
        ("c-3", "v-1"),
    ]
    assert together[0].agency == "市民課" and together[0].criticality.value == "resident_facing"


def test_a_vendor_barred_before_the_batch_has_its_awards_applied_one_by_one() -> None:
    stored = Stored(barred=frozenset({"v-1"}), known_contracts=frozenset())
    assert _split([_awarded("v-1", "c-1"), _awarded("v-2", "c-2")], stored) == (["c-2"], 1)


def test_an_event_applied_one_by_one_holds_back_its_vendors_later_awards_only() -> None:
    events = [
        _awarded("v-1", "c-1"),
        _event("vendor.eligibility_changed", "v-1"),
        _awarded("v-1", "c-2"),
        _awarded("v-2", "c-3"),
    ]
    assert _split(events) == (["c-1", "c-3"], 2)


def test_a_contract_known_before_or_named_earlier_in_the_batch_waits() -> None:
    stored = Stored(barred=frozenset(), known_contracts=frozenset({"c-1"}))
    assert _split([_awarded("v-1", "c-1")], stored) == ([], 1)
    amended_first = [_event("contract.amended", "v-2", contract_id="c-2"), _awarded("v-2", "c-2")]
    assert _split(amended_first) == ([], 2)
    twice = [_awarded("v-3", "c-3"), _awarded("v-3", "c-3")]
    assert _split(twice) == (["c-3"], 1)
    subcontracted_first = [
        _event("contract.subcontract_approved", "v-4", contract_id="c-4"),
        _awarded("v-5", "c-4"),
    ]
    assert _split(subcontracted_first) == ([], 2)
