"""A replay's follower given the judge's reads in log order applies them in the order its
live processing recorded (platform/consuming/applied_order.py): recorded events in that
order, the others with the next recorded event of their partition or, past them all, as they
came; each partition in its own order whatever the record says; nothing given twice, nothing
it does not take, nothing the judge passed over held up."""

from __future__ import annotations

import json
import logging

import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.consuming.applied_order import ReadingPace, Recorded, Reordering
from services.platform.eventstore import chain
from services.platform.eventstore.event_reads import Cursor
from tests.support import case_b

TAKEN = {"vendor.registered", "vendor.renamed"}


def _vendors() -> list[str]:
    """Two vendors of two partitions."""
    found: dict[int, str] = {}
    for n in range(200):
        found.setdefault(chain.partition_of(f"vendor-order-{n}"), f"vendor-order-{n}")
    return list(found.values())[:2]


A, B = _vendors()
PA, PB = chain.partition_of(A), chain.partition_of(B)


def _event(kind: str, vendor: str) -> EventEnvelope:
    made = case_b.another_vendor(vendor) if kind == "registered" else case_b.renamed(vendor)
    return parse_event(json.dumps(made, ensure_ascii=False))


def _at(event: EventEnvelope, seq: int) -> Recorded:
    return Recorded(event.event_id, chain.partition_of(event.vendor_id), seq)


def _past(**seqs: int) -> Cursor:
    return Cursor.of({{"a": PA, "b": PB}[k]: v for k, v in seqs.items()})


def test_recorded_events_come_in_the_recorded_order_the_others_with_their_partition() -> None:
    a1, a2, a3 = (_event(k, A) for k in ("registered", "renamed", "renamed"))
    b1, b2 = (_event(k, B) for k in ("registered", "renamed"))
    reordering = Reordering("risk", TAKEN)
    # Live, B's renaming was applied before A's first; A's registration (seq 1) and last
    # renaming (seq 3) are not in the record (taken by no batch then).
    reordering.record([_at(b2, 2), _at(a2, 2)])
    reordering.record([])
    # The judge hands them in position order.
    reordering.arrive([a1, b1, a2], _past(a=2, b=1))
    assert reordering.ready() == []  # b2 comes first, and is not judged yet
    reordering.arrive([b2, a3], _past(a=3, b=2))
    assert reordering.ready() == [b1, b2, a1, a2, a3]


def test_a_recorded_event_the_judge_passed_over_holds_nothing_up() -> None:
    a1, b1 = _event("registered", A), _event("registered", B)
    reordering = Reordering("risk", TAKEN)
    reordering.record([_at(a1, 1), _at(b1, 1)])
    reordering.record([])
    reordering.arrive([b1], _past(a=1, b=1))  # a1 refused by the judge now
    assert reordering.ready() == [b1]


def test_what_has_not_come_when_the_input_ends_is_not_waited_for() -> None:
    a1, b1 = _event("registered", A), _event("registered", B)
    reordering = Reordering("risk", TAKEN)
    reordering.record([_at(a1, 1), _at(b1, 1)])
    reordering.record([])
    reordering.arrive([b1], _past(b=1))  # the judge stopped before a1's partition
    assert reordering.ready() == []
    reordering.end()
    assert reordering.ready() == [b1]


def test_events_it_does_not_take_are_not_given() -> None:
    a1, a2 = _event("registered", A), _event("renamed", A)
    reordering = Reordering("risk", {"vendor.renamed"})
    reordering.record([])
    reordering.arrive([a1, a2], _past(a=2))
    assert reordering.ready() == [a2]


def test_a_record_against_its_partitions_order_keeps_the_partitions_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    a1, a2 = _event("registered", A), _event("renamed", A)
    b1 = _event("registered", B)
    reordering = Reordering("risk", TAKEN)
    with caplog.at_level(logging.WARNING):
        reordering.record([_at(a2, 2), _at(b1, 1), _at(a1, 1)])
        reordering.record([])
    reordering.arrive([a1, a2, b1], _past(a=2, b=1))
    assert reordering.ready() == [a1, a2, b1]
    assert "risk's recorded order put 1 event after later events of their own" in caplog.text


def test_an_event_whose_vendor_was_edited_into_another_partition_is_still_given() -> None:
    """A stored row's vendor edited (a tampered log, replayed with --force): the record names
    the partition the store holds it in, the envelope another; it is given all the same."""
    a1, b1 = _event("registered", A), _event("registered", B)
    reordering = Reordering("risk", TAKEN)
    reordering.record([Recorded(a1.event_id, PB, 1), _at(b1, 2)])
    reordering.record([])
    reordering.arrive([a1, b1], _past(a=1, b=2))
    assert reordering.ready() == [a1, b1]


def test_a_record_read_a_part_at_a_time_gives_the_same_order() -> None:
    """As a replay feeds it: each read handed on, then parts of the record as it asks."""
    a1, a2 = _event("registered", A), _event("renamed", A)
    b1, b2 = _event("registered", B), _event("renamed", B)
    parts = [[_at(b1, 1)], [_at(a1, 1)], [_at(b2, 2)], [_at(a2, 2)], []]
    reordering = Reordering("risk", TAKEN)
    given: list[EventEnvelope] = []

    def ready() -> None:
        nonlocal given
        given += reordering.ready()
        while reordering.wants_record():
            reordering.record(parts.pop(0))
            given += reordering.ready()

    for events, cursor in (([a1, a2], _past(a=2)), ([b1, b2], _past(a=2, b=2))):
        reordering.arrive(events, cursor)
        ready()
    reordering.end()
    ready()
    assert given == [b1, a1, b2, a2] and not parts


def test_a_judge_takes_every_event_and_hands_on_how_far_it_has_given_out() -> None:
    """A judge reordered (taken None) gives out the events it does not judge too, in their
    partition's order; the cursor it hands on stops before what it holds back, so a
    follower does not take an event held back for one its judge refused."""
    a1, a2 = _event("registered", A), _event("renamed", A)
    b1, b2 = _event("registered", B), _event("renamed", B)
    reordering = Reordering("registry")  # a2 stands for an event the judge does not judge
    reordering.record([_at(b1, 1), _at(a1, 1), _at(b2, 2)])
    reordering.record([])
    reordering.arrive([a1, a2, b1], _past(a=2, b=1))
    assert reordering.ready() == [b1, a1]
    # a2 waits for the next recorded event of its partition (or the end): not given yet.
    assert reordering.given_through() == _past(a=1, b=1)
    reordering.arrive([b2], _past(a=2, b=2))
    assert reordering.ready() == [b2, a2]  # past the record's end, as they came
    assert reordering.given_through() == _past(a=2, b=2)


def test_a_reader_paced_by_a_record_reads_each_partition_up_to_what_its_next_part_names() -> None:
    a1, a2 = _event("registered", A), _event("renamed", A)
    b1 = _event("registered", B)
    pace = ReadingPace()
    assert pace.wants_record(Cursor())
    pace.record([_at(a1, 1), _at(a2, 2)])  # A's backlog first: nothing of B's yet
    assert pace.through == _past(a=2, b=0)
    assert not pace.wants_record(_past(a=1))
    assert pace.wants_record(_past(a=2))
    pace.record([_at(b1, 1)])
    assert pace.through == _past(a=2, b=1)
    pace.record([])  # past the record's end: no bound
    assert pace.through is None and not pace.wants_record(_past(a=2, b=1))


def test_a_paced_reader_that_cannot_read_what_the_record_names_reads_on_freely() -> None:
    pace = ReadingPace()
    pace.record([_at(_event("registered", A), 3)])
    pace.stop()
    assert pace.through is None and not pace.wants_record(Cursor())
