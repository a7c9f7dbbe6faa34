"""The hash chain of the event store, as pure functions: which partition an event belongs to
and how each stored event is linked to its predecessor.

Partitions follow the vendor, as Kafka's do: one vendor's events are one chain, in order, and
appends to different partitions never wait for each other. Two link formulas, told apart by
each row's `chain_version` (ARCHITECTURE.md, "The chain"): version 1 was written before the
chain covered when the log recorded an event, and is kept for those rows, so that stores
written then still verify; appends write version 2. Version 1 is also written in SQL in
migrations/0003_chained_partitions.sql (for stores that predate the chain); the two must stay
equal.
"""

from __future__ import annotations

import datetime as dt
import hashlib

# Fixed for the life of a store: a vendor's partition must never change.
PARTITIONS = 6
# The predecessor of every partition's first event.
GENESIS = "0" * 64
# The link formulas a row's `chain_version` may name; appends write the last.
VERSIONS = (1, 2)
VERSION = VERSIONS[-1]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def partition_of(vendor_id: str) -> int:
    """A stable hash of the vendor id (the first 28 bits of its MD5) modulo PARTITIONS."""
    return int(hashlib.md5(vendor_id.encode()).hexdigest()[:7], 16) % PARTITIONS


def content_hash(canonical_json: str) -> str:
    return content_hash_of(canonical_json.encode())


def content_hash_of(encoded: bytes) -> str:
    """`content_hash` of the canonical JSON as sent (UTF-8): a Kafka record's value."""
    return hashlib.sha256(encoded).hexdigest()


def recorded_micros(recorded_at: dt.datetime) -> int:
    """`recorded_at` as the link hashes it: whole microseconds since the Unix epoch, UTC
    (PostgreSQL's resolution, so exact; the same whatever the session's time zone; in SQL,
    `(extract(epoch FROM recorded_at) * 1000000)::bigint`)."""
    if recorded_at.tzinfo is None:
        # asyncpg reads PostgreSQL's ±infinity as naive ends of Python's range: no append
        # stores them, so taken as UTC they give a link that fails, named, not a walk stopped.
        recorded_at = recorded_at.replace(tzinfo=dt.UTC)
    return (recorded_at - _EPOCH) // _MICROSECOND


def link_v1(partition: int, seq: int, previous: str, content: str) -> str:
    """The version-1 chain hash of the `seq`-th event of a partition, over its predecessor's
    chain hash and its own content hash: changing, removing or moving any event changes every
    later one."""
    return hashlib.sha256(f"{partition}|{seq}|{previous}|{content}".encode()).hexdigest()


def link(partition: int, seq: int, previous: str, content: str, recorded_micros: int) -> str:
    """The version-2 chain hash: version 1's, and also over when the log recorded the event
    (`recorded_micros`) and the version itself, so that a row's version cannot be changed
    either without breaking its link."""
    return hashlib.sha256(
        f"2|{partition}|{seq}|{previous}|{content}|{recorded_micros}".encode()
    ).hexdigest()


def link_of(
    version: int, partition: int, seq: int, previous: str, content: str, recorded_at: dt.datetime
) -> str | None:
    """A stored row's chain hash by its own version's formula; None for a version this code
    does not know."""
    if version == 1:
        return link_v1(partition, seq, previous, content)
    if version == 2:
        return link(partition, seq, previous, content, recorded_micros(recorded_at))
    return None
