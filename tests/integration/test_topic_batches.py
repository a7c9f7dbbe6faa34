"""A worker's Kafka consumption (`platform/eventlog/topic_batches.py`) on a real broker: each
partition's records reach the handler in order, a batch that fails is tried again, and the
group's offsets move only once the handler has returned."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from services.platform.eventlog.credentials import KafkaCredentials
from services.platform.eventlog.topic_batches import Record, TopicBatches
from services.platform.operations.liveness import Liveness
from tests.support.processes import eventually

pytestmark = pytest.mark.kafka

PARTITIONS = 3
KEYS = [f"vendor-{n}" for n in range(6)]
PER_KEY = 15
TIMEOUT_S = 60


async def _topic_with_records(bootstrap: str) -> tuple[str, int]:
    """A fresh topic holding PER_KEY records of each key, in order; its name and size."""
    topic = f"it-batches-{uuid.uuid4().hex[:12]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, PARTITIONS, 1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for n in range(PER_KEY):
            for key in KEYS:
                await producer.send_and_wait(topic, f"{key}:{n}".encode(), key=key.encode())
    finally:
        await producer.stop()
    return topic, len(KEYS) * PER_KEY


async def _committed(bootstrap: str, group: str, topic: str) -> dict[int, int | None]:
    """The group's committed offset per partition (None: never committed)."""
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group)
    await probe.start()
    try:
        return {p: await probe.committed(TopicPartition(topic, p)) for p in range(PARTITIONS)}
    finally:
        await probe.stop()


async def _ends(bootstrap: str, topic: str) -> dict[int, int | None]:
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await probe.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        return {tp.partition: end for tp, end in (await probe.end_offsets(partitions)).items()}
    finally:
        await probe.stop()


async def test_records_in_order_a_failed_batch_again_offsets_after_the_handler(
    kafka_bootstrap: str,
) -> None:
    topic, count = await _topic_with_records(kafka_bootstrap)
    group = f"it-group-{uuid.uuid4().hex[:12]}"
    received: dict[str, list[str]] = defaultdict(list)
    calls, taken = 0, 0
    retried, release, all_taken = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def handle(records: list[Record]) -> None:
        nonlocal calls, taken
        calls += 1
        if calls == 1:
            raise ConnectionError("PostgreSQL away")  # the whole batch comes again
        retried.set()
        await release.wait()
        for key, value in records:
            assert key is not None
            received[key.decode()].append(value.decode())
        taken += len(records)
        if taken >= count:
            all_taken.set()

    liveness = Liveness("it.batches")
    batches = TopicBatches(group)
    batches.add(topic, handle, liveness)
    run = asyncio.create_task(batches.run(kafka_bootstrap, KafkaCredentials.from_env({})))
    try:
        async with asyncio.timeout(TIMEOUT_S):
            await retried.wait()  # failed once, and tried again: now waiting to be released
            assert liveness.failing_since is not None  # /healthz says so meanwhile
            # Nothing is committed while the handler has not returned.
            assert set((await _committed(kafka_bootstrap, group, topic)).values()) == {None}
            release.set()
            await all_taken.wait()
            ends = await _ends(kafka_bootstrap, topic)

            async def committed_to_the_ends() -> bool:
                return await _committed(kafka_bootstrap, group, topic) == ends

            await eventually(committed_to_the_ends, "the offsets committed to the ends", 30)
            assert liveness.failing_since is None
    finally:
        run.cancel()
        await asyncio.gather(run, return_exceptions=True)
    assert received == {key: [f"{key}:{n}" for n in range(PER_KEY)] for key in KEYS}
    assert taken == count  # each record once, the failed attempt's included
