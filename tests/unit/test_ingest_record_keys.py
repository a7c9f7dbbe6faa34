"""A Kafka record's key must be its event's vendor_id, and the record on the partition that key
picks (pure rules of ingest)."""

from __future__ import annotations

import json

from aiokafka.partitioner import DefaultPartitioner

from services.events.catalog import parse_event
from services.ingest.admission import Placement, key_problem, placement_problem
from services.platform.eventlog.partitioning import key_partition
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


def test_a_record_on_its_keys_partition_is_accepted_and_elsewhere_refused() -> None:
    # Kafka's default partitioner puts 'vendor-b' on partition 0 of 6, and of 4.
    assert placement_problem(Placement(b"vendor-b", 0, 6), EVENT) is None
    assert placement_problem(Placement(b"vendor-b", 0, 4), EVENT) is None
    assert placement_problem(Placement(b"vendor-b"), EVENT) is None  # not read from a topic
    problem = placement_problem(Placement(b"vendor-b", 2, 6), EVENT)
    assert problem is not None
    assert problem.startswith("Kafka partition: 2, where the key 'vendor-b' belongs on partition 0")
    assert "murmur2" in problem
    # The key is judged first: a record keyed otherwise is refused for its key.
    refused = placement_problem(Placement(b"vendor-c", 0, 6), EVENT)
    assert refused is not None and refused.startswith("Kafka key:")


def test_the_partition_expected_is_the_one_kafkas_clients_pick() -> None:
    """Kafka's Java client and aiokafka pick a keyed record's partition alike; ingest expects
    that one (its own murmur2: embedded mode imports no aiokafka)."""
    default = DefaultPartitioner()
    for n in range(500):
        key = f"D-{n:04d}".encode() + bytes(range(n % 7))
        for partitions in (1, 3, 6, 12):
            expected = default(key, list(range(partitions)), list(range(partitions)))
            assert key_partition(key, partitions) == expected
