"""A worker's Kafka consumption (`platform/eventlog/topic_batches.py`) on a real broker: each
partition's records reach the handler in order, a batch that fails is tried again, and the
group's offsets move only once the handler has returned."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import defaultdict

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from services.events.catalog import parse_event
from services.platform.eventlog.credentials import KafkaCredentials
from services.platform.eventlog.kafka import KafkaEventLog
from services.platform.eventlog.topic_batches import Record, TopicBatches
from services.platform.eventlog.topics import TOPICS, ensure_topics
from services.platform.operations.liveness import Liveness
from tests.support import case_b
from tests.support.event_examples import VALID_PAYLOADS, envelope
from tests.support.processes import eventually

pytestmark = pytest.mark.kafka

PARTITIONS = 3
KEYS = [f"vendor-{n}" for n in range(6)]
PER_KEY = 15
TIMEOUT_S = 60
VENDOR_KEY = case_b.VENDOR.encode()


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
        for key, value, *_ in records:
            assert key is not None and value is not None
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


async def test_forwarded_events_declare_their_type_and_raw_submissions_do_not(
    kafka_bootstrap: str,
) -> None:
    """What a follower consumer may leave unparsed rests on the type the forwarding declared
    (consumer.apply_serialized_batch); a producer's raw submission declares nothing."""
    await ensure_topics(kafka_bootstrap, 1, KafkaCredentials.from_env({}))
    awarded = parse_event(
        case_b.line(envelope("contract.awarded", VALID_PAYLOADS["contract.awarded"]))
    )
    registered = parse_event(case_b.line(case_b.registered()))
    submitted = case_b.registered()
    log = KafkaEventLog(kafka_bootstrap, KafkaCredentials.from_env({}))
    await log.start()
    try:
        await log.forward("facts", [awarded, registered])
        await log.submit([case_b.line(submitted)])
    finally:
        await log.stop()
    # An outside producer's header with no value, or not UTF-8: read as none, or as given.
    odd = [case_b.registered(), case_b.registered()]
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for event, value in zip(odd, (None, b"\xff"), strict=True):
            await producer.send_and_wait(
                TOPICS["raw"].name,
                case_b.line(event),
                key=VENDOR_KEY,
                headers=[("event_type", value)],
            )
    finally:
        await producer.stop()
    wanted = {str(awarded.event_id), str(registered.event_id), submitted["event_id"]}
    wanted |= {event["event_id"] for event in odd}
    found: dict[str, str | None] = {}
    done = asyncio.Event()

    async def handle(records: list[Record]) -> None:
        for record in records:  # the topics are shared: other tests' records, of any shape
            event_id = _event_id(record.value)
            if event_id is not None and event_id in wanted:
                found[event_id] = record.event_type
        if len(found) == len(wanted):
            done.set()

    batches = TopicBatches(f"it-declared-{uuid.uuid4().hex[:8]}")
    for role in ("facts", "raw"):
        batches.add(TOPICS[role].name, handle, Liveness(f"it.{role}"))
    run = asyncio.create_task(batches.run(kafka_bootstrap, KafkaCredentials.from_env({})))
    try:
        async with asyncio.timeout(TIMEOUT_S):
            await done.wait()
    finally:
        run.cancel()
        await asyncio.gather(run, return_exceptions=True)
    assert found == {
        str(awarded.event_id): "contract.awarded",
        str(registered.event_id): "vendor.registered",
        submitted["event_id"]: None,
        odd[0]["event_id"]: None,
        odd[1]["event_id"]: "\ufffd",
    }


def _event_id(value: bytes | None) -> str | None:
    if value is None:  # the topics are shared: a tombstone of another test
        return None
    try:
        found = json.loads(value).get("event_id")
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, str) else None
