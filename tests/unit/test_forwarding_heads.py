"""Where a forwarding round leaves each partition's head when its time ran out before every
batch was sent (`ingest/forwarding.reached_heads`): just before the partition's first event
left unsent, whatever the other topic sent after it."""

from __future__ import annotations

import uuid

from services.ingest.forwarding import reached_heads


def test_a_head_stops_before_its_partitions_first_unsent_event() -> None:
    ids = [uuid.uuid4() for _ in range(6)]
    positions = [(0, 11), (0, 12), (0, 13), (0, 14), (3, 7), (3, 8)]
    # Partition 0's event 13 (one topic's share) was not sent; 14 (the other's) was.
    assert reached_heads(positions, ids, {ids[2]}) == {0: 12, 3: 8}


def test_a_partition_whose_first_event_went_unsent_keeps_its_head() -> None:
    ids = [uuid.uuid4() for _ in range(3)]
    positions = [(1, 5), (2, 9), (2, 10)]
    assert reached_heads(positions, ids, {ids[0], ids[2]}) == {2: 9}


def test_a_round_that_sent_everything_reaches_each_partitions_last_event() -> None:
    ids = [uuid.uuid4() for _ in range(3)]
    assert reached_heads([(0, 1), (0, 2), (5, 40)], ids, set()) == {0: 2, 5: 40}
