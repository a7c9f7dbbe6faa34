"""A distributed worker's batch blocked without failing (an operator's lock on a table the
registry writes) is stuck on its topic's liveness, which the worker's /healthz reads, as an
embedded consumer's is (test_stuck_consumer.py): the same `Liveness.working`, around each
attempt at a topic's batch."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from services.platform.consuming.consumer import apply_serialized_batch
from services.platform.eventlog.credentials import KafkaCredentials
from services.platform.eventlog.topic_batches import Record, TopicBatches
from services.platform.operations.liveness import Liveness, health_report
from tests.support import case_b
from tests.support.processes import eventually
from tests.support.registry import REGISTRY

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def _topic_with(bootstrap: str, value: bytes) -> str:
    topic = f"it-stuck-{uuid.uuid4().hex[:12]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 1, 1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=case_b.VENDOR.encode())
    finally:
        await producer.stop()
    return topic


async def test_a_worker_s_batch_blocked_on_a_lock_is_reported_stuck(
    kafka_bootstrap: str, pool: asyncpg.Pool, database_url: str, short_stalls: float
) -> None:
    topic = await _topic_with(kafka_bootstrap, case_b.line(case_b.registered()))

    async def apply(records: list[Record]) -> None:
        await apply_serialized_batch(pool, REGISTRY, [r.value for r in records])

    live = Liveness("registry.events")
    batches = TopicBatches(f"it-stuck-{uuid.uuid4().hex[:8]}")
    batches.add(topic, apply, live)
    operator = await asyncpg.connect(database_url)
    lock = operator.transaction()
    await lock.start()
    await operator.execute("LOCK TABLE registry_vendors IN ACCESS EXCLUSIVE MODE")
    run = asyncio.create_task(batches.run(kafka_bootstrap, KafkaCredentials.from_env({})))
    try:

        async def reported_stuck() -> bool:
            return health_report([live])[0] == 503

        await eventually(reported_stuck, "the worker's /healthz to report it stalled", 60)
        [report] = health_report([live])[1]["consumers"]
        assert report["stuck"] and report["busy_for_seconds"] >= short_stalls, report
        assert report["doing"].startswith("applying a batch of 1 events"), report
        await lock.rollback()

        async def applied() -> bool:
            count = await pool.fetchval("SELECT count(*) FROM registry_vendors")
            return bool(count) and health_report([live])[0] == 200

        await eventually(applied, "the batch to be applied once the lock is let go", 30)
    finally:
        await operator.close()
        run.cancel()
        await asyncio.gather(run, return_exceptions=True)
