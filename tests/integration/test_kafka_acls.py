"""The broker, not VendorWatch's good manners, keeps every writer to its own topic: a broker
with SASL and the StandardAuthorizer, given the ACLs of `vendorwatch kafka acls`, refuses each
principal every topic that deploy/kafka/topics.toml does not list it as a writer of."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import TopicAuthorizationFailedError

from services.platform.eventlog.acls import acl_grants
from services.platform.eventlog.base import Writer
from services.platform.eventlog.credentials import KafkaCredentials
from services.platform.eventlog.kafka import KafkaEventLog
from services.platform.eventlog.topics import consumer_group, ensure_topics, load_topics
from tests.support.kafka_broker import KafkaBroker, apply_acls, start_kafka_broker
from tests.support.kafka_classpath import DEFAULT_CACHE_DIR
from tests.support.kafka_sasl import SaslPlain

pytestmark = pytest.mark.kafka

PRINCIPALS = ("producers", "api", "ingest", "registry", "risk", "migration")
PASSWORDS = {name: f"{name}-password" for name in ("admin", *PRINCIPALS)}
TOPICS = load_topics()


def credentials(principal: str) -> KafkaCredentials:
    return KafkaCredentials("SASL_PLAINTEXT", "PLAIN", principal, PASSWORDS[principal])


@pytest.fixture(scope="module")
def broker() -> Iterator[KafkaBroker]:
    """One secured broker for the module: started, given the ACLs, its topics created by a
    VendorWatch process (Describe and Create are all it needs for that)."""
    with start_kafka_broker(DEFAULT_CACHE_DIR, sasl=SaslPlain(PASSWORDS)) as broker:
        apply_acls(broker, [grant.arguments() for grant in acl_grants()])
        yield broker


@pytest.fixture(scope="module")
async def bootstrap(broker: KafkaBroker) -> str:
    created = await ensure_topics(broker.bootstrap_servers, 1, credentials("registry"))
    assert sorted(created) == sorted(spec.name for spec in TOPICS.values())
    return broker.bootstrap_servers


async def write(bootstrap: str, principal: str, topic: str) -> bool:
    """Whether the broker lets `principal` append to `topic` (an idempotent producer, as ours):
    False when it refuses with TopicAuthorizationFailedError; any other error fails the test."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        request_timeout_ms=10_000,
        **credentials(principal).aiokafka_options(),
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"{}", key=b"vendor-acl")
        return True
    except TopicAuthorizationFailedError:
        return False
    finally:
        await producer.stop()


async def submit(
    bootstrap: str, principal: str, writer: Writer, record: bytes = b'{"vendor_id": "vendor-acl"}'
) -> None:
    """What `vendorwatch publish` (producers) and the API do: submit through the event log."""
    log = KafkaEventLog(bootstrap, credentials(principal))
    await log.start()
    try:
        await log.submit([record], writer)
    finally:
        await log.stop()


async def test_producers_write_raw_input_and_nothing_else(bootstrap: str) -> None:
    await submit(bootstrap, "producers", Writer.PRODUCER)
    for role in TOPICS.keys() - {"raw"}:
        assert not await write(bootstrap, "producers", TOPICS[role].name), role


async def test_the_api_writes_recorded_events_but_not_emitted_ones(bootstrap: str) -> None:
    await submit(bootstrap, "api", Writer.API)
    with pytest.raises(TopicAuthorizationFailedError):
        await submit(bootstrap, "api", Writer.REGISTRY)
    for role in TOPICS.keys() - {"recorded"}:
        assert not await write(bootstrap, "api", TOPICS[role].name), role


async def test_an_emitting_worker_writes_its_own_entrance_and_no_other_services(
    bootstrap: str,
) -> None:
    """The registry's entrance is the only one ingest takes eligibility announcements and
    alerts from: risk and migration, which could write a shared `emitted` topic, announced
    bars the registry never decided. Each is refused the others' entrances."""
    emitting = {"registry": Writer.REGISTRY, "risk": Writer.RISK, "migration": Writer.MIGRATION}
    for principal, own in emitting.items():
        await submit(bootstrap, principal, own)
        for other in set(emitting.values()) - {own}:
            with pytest.raises(TopicAuthorizationFailedError):
                await submit(bootstrap, principal, other)


async def test_every_principal_writes_exactly_the_topics_it_is_a_writer_of(
    bootstrap: str,
) -> None:
    allowed = {
        (principal, spec.role): await write(bootstrap, principal, spec.name)
        for principal in PRINCIPALS
        for spec in TOPICS.values()
    }
    expected = {
        (principal, spec.role): principal in spec.writers
        for principal in PRINCIPALS
        for spec in TOPICS.values()
    }
    assert allowed == expected


async def test_ingest_reads_raw_input_in_its_consumer_group(bootstrap: str) -> None:
    # A record of its own: the module's other tests write to the raw topic too.
    record = json.dumps({"vendor_id": "vendor-acl", "marker": uuid.uuid4().hex}).encode()
    await submit(bootstrap, "producers", Writer.PRODUCER, record)
    consumer = AIOKafkaConsumer(
        TOPICS["raw"].name,
        bootstrap_servers=bootstrap,
        group_id=consumer_group("ingest"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **credentials("ingest").aiokafka_options(),
    )
    await consumer.start()
    try:
        read: list[bytes | None] = []
        deadline = asyncio.get_running_loop().time() + 10
        while record not in read and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=1_000)
            read += [message.value for messages in batch.values() for message in messages]
        assert record in read, f"ingest did not read the submitted record ({len(read)} read)"
        await consumer.commit()
    finally:
        await consumer.stop()
