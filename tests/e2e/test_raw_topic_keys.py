"""The raw Kafka topic as a producer team meets it, sending with Kafka's own console producer
to a real `vendorwatch worker ingest` on a real Kafka: a record must be keyed by its vendor_id,
or it is dead-lettered saying so; a resend of a stored event is not forwarded to the consumers
again."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from services.platform.eventlog.topics import load_topics
from tests.support.event_examples import envelope, example
from tests.support.kafka_console import console_produce
from tests.support.processes import Service, eventually

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def _registration(vendor_id: str) -> dict[str, Any]:
    event = envelope("vendor.registered", {"legal_name": f"{vendor_id} K.K."}, vendor_id)
    event["event_id"] = str(uuid.uuid4())
    return event


async def test_records_keyed_by_their_vendor_only_and_a_resend_forwarded_once(
    kafka_bootstrap: str, database_url: str, namespace: str, tmp_path: Path
) -> None:
    topics = load_topics()
    ingest = Service(
        "ingest",
        ["worker", "ingest", "--kafka", kafka_bootstrap, "--database-url", database_url],
        tmp_path,
    )
    unkeyed, miskeyed, keyed = (_registration(v) for v in ("v-unkeyed", "v-miskeyed", "v-keyed"))
    validated = AIOKafkaConsumer(
        topics["events"].name, bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest"
    )
    conn = await asyncpg.connect(database_url)
    try:
        await validated.start()

        async def send(*records: tuple[str | None, dict[str, Any]]) -> None:
            """With Kafka's console producer: keyed records as `key<TAB>json`."""
            keyed = all(key is not None for key, _ in records)
            lines = [
                (f"{key}\t" if keyed else "") + json.dumps(event, ensure_ascii=False)
                for key, event in records
            ]
            separator = "\t" if keyed else None
            await asyncio.to_thread(
                console_produce, kafka_bootstrap, topics["raw"].name, lines, separator
            )

        await send((None, unkeyed))
        await send(("v-keyed", miskeyed), ("v-keyed", keyed))

        def stored(events: int) -> Callable[[], Awaitable[bool]]:
            async def check() -> bool:
                count = await conn.fetchval("SELECT count(*) FROM event_store")
                letters = await conn.fetchval("SELECT count(*) FROM dead_letters")
                return bool(count == events and letters == 2)

            return check

        await eventually(stored(1), "one event stored, two dead-lettered", seconds=90)
        # The producer sends it again, then a new event of the same vendor (same partition,
        # so once that is stored, the resend was taken).
        renamed = envelope("vendor.renamed", example("vendor.renamed"), "v-keyed")
        renamed["event_id"] = str(uuid.uuid4())
        await send(("v-keyed", keyed), ("v-keyed", renamed))
        await eventually(stored(2), "the later event stored", seconds=60)
        reasons = sorted(r["reason"] for r in await conn.fetch("SELECT reason FROM dead_letters"))
        assert reasons[0].startswith("Kafka key: 'v-keyed' is not the event's vendor_id")
        assert reasons[1].startswith("Kafka key: missing; key the record by its vendor_id")
        forwarded: list[Any] = []
        async with asyncio.timeout(30):
            while len(forwarded) < 2:
                batch = await validated.getmany(timeout_ms=1000)
                forwarded += [m for messages in batch.values() for m in messages]
        batch = await validated.getmany(timeout_ms=2000)  # a copy would have come by now
        forwarded += [m for messages in batch.values() for m in messages]
        ids = [json.loads(m.value)["event_id"] for m in forwarded]
        assert ids == [keyed["event_id"], renamed["event_id"]]
        assert {m.key for m in forwarded} == {b"v-keyed"}
    except BaseException:
        print(ingest.log_tail())
        raise
    finally:
        await conn.close()
        await validated.stop()
        ingest.stop()


async def test_a_record_without_a_value_is_dead_lettered_and_holds_nothing_up(
    kafka_bootstrap: str, database_url: str, namespace: str, tmp_path: Path
) -> None:
    """A tombstone (a record whose value is null, which any producer may write) stopped the
    ingest worker on every retry and after every restart: nothing behind it, in any
    partition, was stored again."""
    topics = load_topics()
    ingest = Service(
        "ingest",
        ["worker", "ingest", "--kafka", kafka_bootstrap, "--database-url", database_url],
        tmp_path,
    )
    behind, elsewhere = _registration("v-behind"), _registration("v-elsewhere")
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    conn = await asyncpg.connect(database_url)
    try:
        await producer.start()
        raw = topics["raw"].name
        await producer.send_and_wait(raw, None, key=b"v-behind")
        for event in (behind, elsewhere):
            value = json.dumps(event).encode()
            await producer.send_and_wait(raw, value, key=event["vendor_id"].encode())

        async def settled() -> bool:
            stored = await conn.fetchval("SELECT count(*) FROM event_store")
            return bool(stored == 2 and await conn.fetchval("SELECT count(*) FROM dead_letters"))

        await eventually(settled, "both events stored, the tombstone dead-lettered", seconds=90)
        letter = await conn.fetchrow("SELECT stage, reason, raw FROM dead_letters")
        assert letter is not None
        assert (letter["stage"], letter["reason"], letter["raw"]) == (
            "ingest",
            "event: the record has no value (a tombstone); an event is one JSON object",
            "(no value; Kafka key 'v-behind')",
        )
    except BaseException:
        print(ingest.log_tail())
        raise
    finally:
        await producer.stop()
        await conn.close()
        ingest.stop()


async def test_a_record_on_another_partition_than_its_keys_is_dead_lettered(
    kafka_bootstrap: str, database_url: str, namespace: str, tmp_path: Path
) -> None:
    """A vendor's events keep their order on the partition its key picks: a producer that
    put an imposition on partition 5 and its lift on partition 0, each keyed right, had the
    lift read first (refused: unknown sanction) and the vendor barred. Each record is taken
    only on its key's partition, as Kafka's default partitioner places it."""
    topics = load_topics()
    ingest = Service(
        "ingest",
        ["worker", "ingest", "--kafka", kafka_bootstrap, "--database-url", database_url],
        tmp_path,
    )
    vendors = ("D-0053", "D-0055", "D-0057", "D-0059")
    sent = {v: (_registration(v), _registration(v)) for v in vendors}
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, linger_ms=50)
    conn = await asyncpg.connect(database_url)
    try:
        await producer.start()
        raw = topics["raw"].name
        for vendor, (first, then) in sent.items():
            for event, partition in ((first, 5), (then, 0)):
                value, key = json.dumps(event).encode(), vendor.encode()
                await producer.send(raw, value, key=key, partition=partition)
        await producer.flush()

        async def settled() -> bool:
            stored = await conn.fetchval("SELECT count(*) FROM event_store")
            letters = await conn.fetchval("SELECT count(*) FROM dead_letters")
            return bool(stored + letters == 2 * len(vendors))

        await eventually(settled, "every record stored or dead-lettered", seconds=90)
        stored = {
            str(i) for i in await conn.fetchval("SELECT array_agg(event_id) FROM event_store")
        }
        # Kafka's default partitioner (murmur2) puts D-0053 and D-0057 on partition 0, the
        # others elsewhere: only those two records were on their key's partition.
        assert stored == {sent["D-0053"][1]["event_id"], sent["D-0057"][1]["event_id"]}
        reason = await conn.fetchval(
            "SELECT reason FROM dead_letters WHERE event_id = $1",
            uuid.UUID(sent["D-0055"][0]["event_id"]),
        )
        assert reason.startswith(
            "Kafka partition: 5, where the key 'D-0055' belongs on partition 4 (of 6);"
            " send without naming a partition, with Kafka's default partitioner: murmur2 of the key"
        )
    except BaseException:
        print(ingest.log_tail())
        raise
    finally:
        await producer.stop()
        await conn.close()
        ingest.stop()
