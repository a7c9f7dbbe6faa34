"""The hash chain of the event store, as pure functions: which partition an event belongs to
and how each stored event is linked to its predecessor.

Partitions follow the vendor, as Kafka's do: one vendor's events are one chain, in order, and
appends to different partitions never wait for each other. The same functions are written
in SQL in migrations/0003_chained_partitions.sql (for stores that predate the chain); the two
must stay equal.
"""

from __future__ import annotations

import hashlib

# Fixed for the life of a store: a vendor's partition must never change.
PARTITIONS = 6
# The predecessor of every partition's first event.
GENESIS = "0" * 64


def partition_of(vendor_id: str) -> int:
    """A stable hash of the vendor id (the first 28 bits of its MD5) modulo PARTITIONS."""
    return int(hashlib.md5(vendor_id.encode()).hexdigest()[:7], 16) % PARTITIONS


def content_hash(canonical_json: str) -> str:
    return hashlib.sha256(canonical_json.encode()).hexdigest()


def link(partition: int, seq: int, previous: str, content: str) -> str:
    """The chain hash of the `seq`-th event of a partition, over its predecessor's chain hash
    and its own content hash: changing, removing or moving any event changes every later one."""
    return hashlib.sha256(f"{partition}|{seq}|{previous}|{content}".encode()).hexdigest()
