"""Distributed ingest forwards what it stores in the store's order (`ingest/forwarding.py`), on a
real broker and a real PostgreSQL: a vendor's events reach the registry in the order a rebuild
replays them, whichever entrance they came through and whatever a crash left unsent."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest

from services.ingest import forwarding
from services.ingest.agents import ingest_and_forward
from services.ingest.handlers import Accepted, ingest_batch
from services.platform.eventlog import kafka
from services.platform.eventlog.base import Writer
from services.platform.eventlog.credentials import KafkaCredentials
from services.platform.eventlog.faust_runtime import WorkerResources
from services.platform.eventlog.kafka import KafkaEventLog
from services.platform.eventlog.topic_batches import Record
from services.platform.eventstore.chain import partition_of
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.event_examples import VALID_PAYLOADS, envelope
from tests.support.vendor_records import ends, sent_since

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

NO_CREDENTIALS = KafkaCredentials.from_env({})


def _record(event: dict[str, Any]) -> Record:
    return Record(event["vendor_id"].encode(), case_b.line(event))


@pytest.fixture
async def resources(database_url: str, kafka_bootstrap: str) -> Any:
    worker = WorkerResources(
        Settings(database_url=database_url, kafka_bootstrap=kafka_bootstrap), "ingest"
    )
    await worker.start()  # as a worker does: the pool opened, the topics there
    yield worker
    await worker.close()


async def test_a_vendors_events_are_forwarded_in_the_stores_order_once(
    resources: WorkerResources, kafka_bootstrap: str
) -> None:
    vendor = f"vendor-{uuid.uuid4().hex[:10]}"
    since = await ends(kafka_bootstrap, vendor)
    registered = case_b.registered(vendor)
    renamed = case_b.renamed(vendor)
    announced = {
        **envelope(
            "vendor.eligibility_changed", VALID_PAYLOADS["vendor.eligibility_changed"], vendor
        ),
        "source": "vendorwatch.registry",
    }
    pool = await resources.pool()
    # The producers' entrance stores the registration, and its worker dies before sending it.
    (stored,) = await ingest_batch(pool, [case_b.line(registered)], Writer.PRODUCER)
    assert isinstance(stored, Accepted) and stored.new
    # Meanwhile the API's entrance stores a later event of the same vendor and forwards it.
    await ingest_and_forward(Writer.API, resources, [_record(renamed)])
    # A service's announcement goes to the registry too, which passes it on among the
    # inputs in the store's order (test_registry_passes_facts_on.py): not straight to `facts`.
    await ingest_and_forward(Writer.REGISTRY, resources, [_record(announced)])
    # The dead worker's successor reads the batch again; later, the producer sends it again.
    await ingest_and_forward(Writer.PRODUCER, resources, [_record(registered)])
    await ingest_and_forward(Writer.PRODUCER, resources, [_record(registered)])

    assert await sent_since(kafka_bootstrap, vendor, since) == {
        # As stored, each once.
        "events": [registered["event_id"], renamed["event_id"], announced["event_id"]],
        "facts": [],
    }


async def test_a_backlog_is_forwarded_in_rounds_in_order(
    resources: WorkerResources, kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What piles up while Kafka is away goes in several transactions, none of them larger
    than CHUNK events a partition, still in order and each once."""
    vendor = f"vendor-{uuid.uuid4().hex[:10]}"
    since = await ends(kafka_bootstrap, vendor)
    backlog = [case_b.registered(vendor)] + [
        envelope(
            "vendor.renamed",
            {**VALID_PAYLOADS["vendor.renamed"], "new_legal_name": f"Renamed {n} K.K."},
            vendor,
        )
        for n in range(4)
    ]
    pool: asyncpg.Pool = await resources.pool()
    outcomes = await ingest_batch(pool, [case_b.line(e) for e in backlog], Writer.PRODUCER)
    assert all(isinstance(o, Accepted) and o.new for o in outcomes)
    monkeypatch.setattr(forwarding, "CHUNK", 2)
    log: KafkaEventLog = await resources.event_log()

    assert await forwarding.forward_stored(pool, log, {partition_of(vendor)}) == len(backlog)
    assert await forwarding.forward_stored(pool, log, {partition_of(vendor)}) == 0
    assert await sent_since(kafka_bootstrap, vendor, since) == {
        "events": [e["event_id"] for e in backlog],
        "facts": [],
    }


async def test_a_slow_brokers_stretch_goes_in_rounds_of_bounded_length(
    resources: WorkerResources, kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A round starts no batch after SEND_SECONDS (here none but each partition's first, of
    one event each), so however slowly the broker answers the heads' locks are held for a
    bounded time: the next round starts where the acknowledged batches ended, and the whole
    stretch still arrives in order, each event once."""
    vendor = f"vendor-{uuid.uuid4().hex[:10]}"
    since = await ends(kafka_bootstrap, vendor)
    stretch = [case_b.registered(vendor), case_b.renamed(vendor), case_b.renamed(vendor)]
    pool: asyncpg.Pool = await resources.pool()
    await ingest_batch(pool, [case_b.line(e) for e in stretch], Writer.PRODUCER)
    monkeypatch.setattr(kafka, "MAX_BATCH_BYTES", 1)  # a batch holds its first record only
    monkeypatch.setattr(forwarding, "SEND_SECONDS", 0.0)
    heads_at_each_round: list[int] = []
    send = forwarding._send

    async def observed(*args: Any) -> set[uuid.UUID]:
        heads_at_each_round.append(
            await pool.fetchval(
                "SELECT forwarded_seq FROM ingest_forward_heads WHERE partition = $1",
                partition_of(vendor),
            )
        )
        return await send(*args)

    monkeypatch.setattr(forwarding, "_send", observed)
    log: KafkaEventLog = await resources.event_log()

    assert await forwarding.forward_stored(pool, log, {partition_of(vendor)}) == len(stretch)
    first = heads_at_each_round[0]
    assert heads_at_each_round == [first, first + 1, first + 2]
    assert await sent_since(kafka_bootstrap, vendor, since) == {
        "events": [e["event_id"] for e in stretch],
        "facts": [],
    }


async def test_a_round_hands_its_events_on_in_log_order(
    resources: WorkerResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Partitions that share a Kafka partition (a topic with fewer partitions than the store)
    share its batches first come, first sent: a round hands its events on in log order, not
    one partition's after another's, so a round cut short leaves no partition behind
    another's backlog."""
    # Two vendors of two partitions, the first logged in the later partition.
    first, second = f"vendor-{uuid.uuid4().hex[:10]}", f"vendor-{uuid.uuid4().hex[:10]}"
    while partition_of(first) == partition_of(second):
        second = f"vendor-{uuid.uuid4().hex[:10]}"
    if partition_of(first) < partition_of(second):
        first, second = second, first
    logged = [
        case_b.registered(first),
        case_b.registered(second),
        case_b.renamed(first),
        case_b.renamed(second),
    ]
    pool: asyncpg.Pool = await resources.pool()
    for event in logged:  # one append each: this log order
        await ingest_batch(pool, [case_b.line(event)], Writer.PRODUCER)
    handed: list[str] = []
    send = forwarding._send

    async def observed(log: KafkaEventLog, events: Any, until: float) -> set[uuid.UUID]:
        handed.extend(str(e.event_id) for e in events)
        return await send(log, events, until)

    monkeypatch.setattr(forwarding, "_send", observed)
    log: KafkaEventLog = await resources.event_log()
    await forwarding.forward_stored(pool, log, {partition_of(first), partition_of(second)})
    assert [i for i in handed if i in {e["event_id"] for e in logged}] == [
        e["event_id"] for e in logged
    ]
