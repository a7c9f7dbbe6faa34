"""A mutation through the distributed API while its Kafka broker is down, on a real broker
stopped under it: answered UNAVAILABLE within the wait for the broker's acknowledgement
(`Settings.broker_ack_seconds`), in the words a mutation meeting PostgreSQL down is answered
with. It waited until the request's 30 s limit answered 504 TIMEOUT, saying nothing of the
event, which the producer then recorded once the broker was back: a client retrying without a
key recorded it twice."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import pytest

from services.platform.eventlog.credentials import KafkaCredentials
from services.platform.eventlog.kafka import KafkaEventLog
from services.platform.eventlog.topics import ensure_topics
from tests.support.in_process_api import asgi_client
from tests.support.kafka_broker import KafkaBroker, start_kafka_broker
from tests.support.kafka_classpath import DEFAULT_CACHE_DIR
from tests.support.principals import token

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

ACK_SECONDS = 2.0

REGISTER = """mutation ($id: ID!, $key: String) {
  registerVendor(vendorId: $id, payload: {legalName: "Kita Co"}, idempotencyKey: $key) {
    accepted errors { field message code } } }"""


@pytest.fixture
def broker() -> Iterator[KafkaBroker]:
    with start_kafka_broker(DEFAULT_CACHE_DIR) as started:
        yield started


@pytest.fixture
async def event_log(broker: KafkaBroker) -> AsyncIterator[KafkaEventLog]:
    credentials = KafkaCredentials.from_env({})
    await ensure_topics(broker.bootstrap_servers, 1, credentials)
    log = KafkaEventLog(broker.bootstrap_servers, credentials, acknowledged_within=ACK_SECONDS)
    await log.start()
    try:
        yield log
    finally:
        # A producer holding a record it could not send stops only once it is sent.
        if broker.process.poll() is not None:
            await asyncio.to_thread(broker.restart)
        await log.stop()


async def test_a_mutation_with_the_broker_down_is_answered_unavailable_at_once(
    pool: asyncpg.Pool, broker: KafkaBroker, event_log: KafkaEventLog
) -> None:
    headers = {"authorization": f"Bearer {token()}"}
    async with asgi_client(pool, event_log=event_log) as client:

        async def register(vendor: str) -> tuple[float, dict[str, Any]]:
            started = time.monotonic()
            answer = await client.post(
                "/graphql",
                json={"query": REGISTER, "variables": {"id": vendor, "key": vendor}},
                headers=headers,
                timeout=60,
            )
            return time.monotonic() - started, {"status": answer.status_code, **answer.json()}

        _, sent = await register("v-up")
        assert sent == {
            "status": 200,
            "data": {"registerVendor": {"accepted": True, "errors": []}},
        }
        await asyncio.to_thread(broker.kill)
        took, answer = await register("v-down")
    assert took < ACK_SECONDS + 3, f"answered after {took:.1f} s: {answer}"
    assert answer["status"] == 200, answer
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "UNAVAILABLE"}
    assert error["message"] == (
        "the event log is out of reach (restarting?): try again shortly; a mutation may have"
        " been recorded: send it again with the same idempotencyKey, which records it once"
    )
