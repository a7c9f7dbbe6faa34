"""The test Kafka broker (tests/support/kafka_broker.py) works with the client settings we use.

Runs against KAFKA_BOOTSTRAP_SERVERS when set, else starts a real single-node KRaft broker from
Maven Central artifacts. Missing Java or Maven is a failure, not a skip.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

pytestmark = pytest.mark.kafka

PARTITIONS = 3
KEYS = ("vendor-a", "vendor-b", "vendor-c", "vendor-d", "vendor-e")
MESSAGES_PER_KEY = 20
TEST_TIMEOUT_S = 60


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def _create_topic(bootstrap: str, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        response = await admin.create_topics(
            [NewTopic(name=topic, num_partitions=PARTITIONS, replication_factor=1)]
        )
        errors = [(name, code) for name, code, *_ in response.topic_errors if code != 0]
        assert errors == [], f"create_topics failed: {errors}"
        # Created is not yet known to every broker's metadata: described until it is
        # (UNKNOWN_TOPIC_OR_PARTITION meanwhile, seen under load).
        for _ in range(100):
            (described,) = await admin.describe_topics([topic])
            if described["error_code"] == 0:
                break
            await asyncio.sleep(0.1)
        assert described["error_code"] == 0
        assert len(described["partitions"]) == PARTITIONS
    finally:
        await admin.close()


async def _consume(
    consumer: AIOKafkaConsumer, count: int, timeout_s: float
) -> list[tuple[int, int, str, str]]:
    """Read ``count`` records as (partition, offset, key, value), in arrival order."""
    received: list[tuple[int, int, str, str]] = []
    async with asyncio.timeout(timeout_s):
        while len(received) < count:
            batches: dict[TopicPartition, list[Any]] = await consumer.getmany(timeout_ms=500)
            for tp, records in batches.items():
                for record in records:
                    received.append(
                        (tp.partition, record.offset, record.key.decode(), record.value.decode())
                    )
    return received


async def test_topic_produce_consume_commit_round_trip(kafka_bootstrap: str) -> None:
    topic = _unique("it-broker")
    group = _unique("it-group")
    async with asyncio.timeout(TEST_TIMEOUT_S):
        await _create_topic(kafka_bootstrap, topic)

        producer = AIOKafkaProducer(
            bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True
        )
        await producer.start()
        try:
            sent_partition: dict[str, set[int]] = defaultdict(set)
            for i in range(MESSAGES_PER_KEY):
                for key in KEYS:
                    metadata = await producer.send_and_wait(
                        topic, key=key.encode(), value=f"{key}:{i}".encode()
                    )
                    sent_partition[key].add(metadata.partition)
            # The key decides the partition, which is what keeps one vendor's events in order.
            assert all(len(partitions) == 1 for partitions in sent_partition.values())

            consumer = AIOKafkaConsumer(
                topic,
                bootstrap_servers=kafka_bootstrap,
                group_id=group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
            )
            await consumer.start()
            try:
                received = await _consume(consumer, len(KEYS) * MESSAGES_PER_KEY, 30)
                by_key: dict[str, list[str]] = defaultdict(list)
                for partition, _offset, key, value in received:
                    assert {partition} == sent_partition[key]
                    by_key[key].append(value)
                assert by_key == {
                    key: [f"{key}:{i}" for i in range(MESSAGES_PER_KEY)] for key in KEYS
                }
                await consumer.commit()
                committed = {
                    p: await consumer.committed(TopicPartition(topic, p)) for p in range(PARTITIONS)
                }
                ends = await consumer.end_offsets(
                    [TopicPartition(topic, p) for p in range(PARTITIONS)]
                )
                assert committed == {tp.partition: offset for tp, offset in ends.items()}
            finally:
                await consumer.stop()

            # A new member of the same group starts from the committed offsets. One fresh marker
            # per partition: within a partition order holds, so any old record redelivered there
            # would arrive before that partition's marker.
            successor = AIOKafkaConsumer(
                topic,
                bootstrap_servers=kafka_bootstrap,
                group_id=group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
            )
            await successor.start()
            try:
                for p in range(PARTITIONS):
                    await producer.send_and_wait(
                        topic, key=b"marker", value=f"marker:{p}".encode(), partition=p
                    )
                after = await _consume(successor, PARTITIONS, 30)
                assert sorted(value for *_, value in after) == [
                    f"marker:{p}" for p in range(PARTITIONS)
                ]
            finally:
                await successor.stop()
        finally:
            await producer.stop()


async def test_broker_does_not_auto_create_topics(kafka_bootstrap: str) -> None:
    """Application tests must prove the application creates its topics, so the broker must not.

    An external broker given by KAFKA_BOOTSTRAP_SERVERS needs auto.create.topics.enable=false too.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    async with asyncio.timeout(TEST_TIMEOUT_S):
        await admin.start()
        try:
            cluster = await admin.describe_cluster()
            broker_id = str(cluster["brokers"][0]["node_id"])
            responses = await admin.describe_configs(
                [ConfigResource(ConfigResourceType.BROKER, broker_id)]
            )
            entries = {
                entry["config_names"]: entry["config_value"]
                for response in responses
                for resource in response.to_object()["resources"]
                for entry in resource["config_entries"]
            }
            assert entries["auto.create.topics.enable"] == "false"

            missing = _unique("it-never-created")
            await admin.describe_topics([missing])  # a metadata request must not create it
            assert missing not in await admin.list_topics()
        finally:
            await admin.close()
