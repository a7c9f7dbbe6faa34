"""A reader takes the events its process stored, as handed, only while each comes next in its
partition; anything else sends it to the log, which holds every event in order."""

from __future__ import annotations

import asyncio

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.eventlog import own_appends
from services.platform.eventlog.own_appends import OwnAppends, Stored, Tail
from services.platform.eventstore.event_reads import Cursor
from services.platform.eventstore.event_store import Place
from tests.support import case_b


def _stored(partition: int, seq: int) -> Stored:
    event: EventEnvelope = parse_event(case_b.line(case_b.registered()))
    return Place(partition, seq), event


def _tail() -> Tail:
    tail = Tail(asyncio.Event())
    tail.read_the_log = False  # as a reader leaves it once it has read the log
    return tail


def test_handed_events_next_in_their_partitions_are_taken_in_the_order_stored() -> None:
    tail, handed = _tail(), [_stored(0, 4), _stored(2, 1), _stored(0, 5)]
    tail.offer(handed)
    read = tail.take(Cursor.of({0: 3}), limit=500)
    assert read is not None
    assert read.events == [event for _, event in handed]
    assert read.cursor.seqs == (5, 0, 1, 0, 0, 0)
    assert tail.take(read.cursor, limit=500) is None  # nothing left
    assert not tail.read_the_log


def test_events_the_reader_has_read_from_the_log_are_passed_over() -> None:
    tail = _tail()
    tail.offer([_stored(1, 7), _stored(1, 8)])
    read = tail.take(Cursor.of({1: 7}), limit=500)
    assert read is not None and len(read.events) == 1
    assert read.cursor.seqs[1] == 8


def test_an_event_that_is_not_next_sends_the_reader_to_the_log() -> None:
    # Another process stored seq 5 of partition 0: only the log has it.
    tail = _tail()
    tail.offer([_stored(3, 2), _stored(0, 6), _stored(3, 3)])
    read = tail.take(Cursor.of({0: 4, 3: 1}), limit=500)
    assert read is not None and read.cursor.seqs == (4, 0, 0, 2, 0, 0)  # what came before
    assert tail.read_the_log
    assert tail.take(read.cursor, limit=500) is None  # the rest is read from the log
    assert tail.take(Cursor.of({}), limit=500) is None


def test_at_most_the_limit_is_taken_at_once() -> None:
    tail = _tail()
    tail.offer([_stored(0, seq) for seq in range(1, 6)])
    first = tail.take(Cursor.of({}), limit=2)
    assert first is not None and first.cursor.seqs[0] == 2
    rest = tail.take(first.cursor, limit=500)
    assert rest is not None and len(rest.events) == 3 and rest.cursor.seqs[0] == 5


def test_a_reader_that_stops_taking_reads_the_log_rather_than_hold_them_all() -> None:
    tail = _tail()
    tail.offer([_stored(0, seq) for seq in range(1, own_appends.PENDING + 2)])
    assert tail.read_the_log
    assert tail.take(Cursor.of({}), limit=500) is None


def test_another_process_notice_asks_for_the_log_and_own_ones_are_recognised() -> None:
    own, wakeup = OwnAppends(), asyncio.Event()
    with own.tail(wakeup) as tail:
        tail.read_the_log = False
        own.stored([_stored(0, 1)])
        assert wakeup.is_set() and not tail.read_the_log
        tail.notified()
        assert tail.read_the_log
    assert own.is_own(own.notice) and not own.is_own("") and not own.is_own(OwnAppends().notice)
    own.stored([_stored(0, 2)])  # the tail's block is over: no longer handed anything
    assert tail.take(Cursor.of({0: 1}), limit=500) is None
