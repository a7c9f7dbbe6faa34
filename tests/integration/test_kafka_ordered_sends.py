"""Stored events forwarded to a partition leave no gap on a real broker
(`eventlog/kafka.KafkaEventLog.send_in_order`): a batch the broker refuses stops the records
after it from being sent at all, so the retry's resend of the whole stretch keeps the store's
order, and the producer is renewed so that the retry gets through."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from services.platform.eventlog.credentials import KafkaCredentials
from services.platform.eventlog.kafka import KafkaEventLog
from services.platform.eventlog.topic_batches import Record

pytestmark = pytest.mark.kafka

# Larger batches than this the topic refuses (the producer's own cap is 256 KiB).
TOPIC_LIMIT = 120_000


@pytest.fixture
async def small_topic(kafka_bootstrap: str) -> AsyncIterator[str]:
    """A topic of its own, one partition, refusing batches over TOPIC_LIMIT bytes."""
    name = f"vw-test-ordered-{uuid.uuid4().hex[:12]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        config = {"max.message.bytes": str(TOPIC_LIMIT)}
        await admin.create_topics([NewTopic(name, 1, 1, topic_configs=config)])
        yield name
        await admin.delete_topics([name])
    finally:
        await admin.close()


async def _on_topic(bootstrap: str, topic: str) -> list[bytes]:
    """The keys of every record the partition holds, in order."""
    partition = TopicPartition(topic, 0)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([partition])
        end = (await consumer.end_offsets([partition]))[partition]
        consumer.seek(partition, 0)
        keys = []
        while await consumer.position(partition) < end:
            for record in (await consumer.getmany(partition, timeout_ms=5_000)).get(partition, []):
                keys.append(record.key)
        return keys
    finally:
        await consumer.stop()


async def test_a_refused_batch_leaves_no_record_after_it_and_the_next_send_gets_through(
    kafka_bootstrap: str, small_topic: str
) -> None:
    # Two records of 150 and 100 KB make the first batch (250 KB: over the topic's limit);
    # the third, 20 KB, no longer fits in it (the producer's batches hold 256 KiB) and is a
    # batch of its own, which the broker takes. Sent each on its own, it was taken after
    # the first batch had failed: a gap.
    records = [
        Record(b"first", b"a" * 150_000, "vendor.renamed"),
        Record(b"second", b"b" * 100_000, "vendor.renamed"),
        Record(b"third", b"c" * 20_000, "vendor.renamed"),
    ]
    event_log = KafkaEventLog(kafka_bootstrap, KafkaCredentials.from_env({}))
    await event_log.start()
    try:
        # The broker knows this producer on the partition: a number skipped by the refused
        # batch would have it refuse every later one as out of order, had the producer not
        # been renewed.
        await event_log.send_in_order(small_topic, {0: [Record(b"zero", b"z", None)]})
        with pytest.raises(KafkaError):
            await event_log.send_in_order(small_topic, {0: records})
        await event_log.send_in_order(small_topic, {0: records[2:]})  # alone, it is taken
    finally:
        await event_log.stop()
    assert await _on_topic(kafka_bootstrap, small_topic) == [b"zero", b"third"]
