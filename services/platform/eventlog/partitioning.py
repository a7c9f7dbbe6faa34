"""Which partition of an entrance topic a record belongs on: the one Kafka's default
partitioner picks for its key (murmur2, as the Java client, Kafka's console producer, aiokafka
and kafka-python do; librdkafka with `partitioner=murmur2_random`), so that producers keep a
vendor's events on one partition with the client they have, and ingest can tell a record sent
to another (ARCHITECTURE.md, "Who may write what"). Pure, without aiokafka: embedded mode's
ingest imports this module too."""

from __future__ import annotations

# What producers are told to use, in a dead letter's reason and the docs.
PARTITIONER = (
    "Kafka's default partitioner: murmur2 of the key, as the Java client, the console producer"
    " and aiokafka use it (librdkafka: partitioner=murmur2_random)"
)

_SEED, _M, _R, _MASK = 0x9747B28C, 0x5BD1E995, 24, 0xFFFFFFFF


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), as an unsigned 32 bits."""
    length = len(data)
    h = (_SEED ^ length) & _MASK
    whole = length - length % 4
    for i in range(0, whole, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * _M) & _MASK
        k ^= k >> _R
        k = (k * _M) & _MASK
        h = ((h * _M) & _MASK) ^ k
    tail = data[whole:]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * _M) & _MASK
    h ^= h >> 13
    h = (h * _M) & _MASK
    h ^= h >> 15
    return h


def key_partition(key: bytes, partitions: int) -> int:
    """The partition, of `partitions`, that Kafka's default partitioner gives `key`
    (`Utils.toPositive(murmur2(key)) % partitions`)."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions
