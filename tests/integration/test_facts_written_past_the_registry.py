"""Records written straight to `vendorwatch.facts` (on a broker without the ACLs that keep it
the registry's), read by risk, migration and the alerts as their workers read it
(`faust_runtime.apply_facts` under `TopicBatches`), on a real broker and a real PostgreSQL.

A forged award there, never stored nor judged, was applied by migration and the alerts, while
risk failed on it with a raw foreign-key error, and `eventStatus` said the log did not hold
what two services had applied (a security tester's finding). Each follower now dead-letters
what the log does not hold as it was read, and applies only what it holds; the API's live
fan-out hands on only what it holds."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Collection, Mapping
from functools import partial
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from services.alerts import setup as alerts
from services.cli.consumers import service_consumers
from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.gateway.context import handled_by
from services.ingest.handlers import Accepted, ingest_batch
from services.migration import setup as migration
from services.platform.consuming.consumer import Consumer
from services.platform.eventlog.credentials import KafkaCredentials
from services.platform.eventlog.faust_runtime import WorkerResources, apply_facts
from services.platform.eventlog.kafka import follow
from services.platform.eventlog.topic_batches import EVENT_TYPE_HEADER, TopicBatches
from services.platform.eventlog.topics import TOPICS
from services.platform.eventstore.event_store import canonical_json
from services.platform.graphql.processing import StageName, status_of
from services.platform.operations.liveness import Liveness
from services.platform.settings import Settings
from services.registry import setup as registry
from services.risk import setup as risk
from services.risk.handlers import risk_consumer
from tests.support import case_b, worker_resources
from tests.support.event_examples import envelope, example
from tests.support.processes import eventually

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

FOLLOWERS = ("risk", "migration", "alerts")


@pytest.fixture
async def resources(database_url: str, kafka_bootstrap: str) -> AsyncIterator[WorkerResources]:
    async with worker_resources.started(database_url, kafka_bootstrap, "risk") as worker:
        yield worker


def _followers(settings: Settings) -> list[Consumer]:
    return [
        risk_consumer(risk.service(settings)),
        migration.consumer(settings.clock),
        alerts.consumer(settings),
    ]


async def _produce(bootstrap: str, vendor: str, records: list[tuple[bytes, str | None]]) -> None:
    """As an outsider with aiokafka would, keyed by the vendor (a type header or none)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for value, declared in records:
            headers = [] if declared is None else [(EVENT_TYPE_HEADER, declared.encode())]
            await producer.send_and_wait(
                TOPICS["facts"].name, value, key=vendor.encode(), headers=headers
            )
    finally:
        await producer.stop()


def _as_stored(event: dict[str, Any]) -> bytes:
    """As the registry passes a stored event on."""
    return canonical_json(parse_event(case_b.line(event))).encode()


async def test_facts_the_log_does_not_hold_are_refused_by_every_follower(
    resources: WorkerResources, kafka_bootstrap: str
) -> None:
    vendor = f"vendor-{uuid.uuid4().hex[:10]}"
    registered = case_b.registered(vendor)
    award, last = (
        envelope("contract.awarded", example("contract.awarded", contract_id=c), vendor)
        for c in (f"{vendor}-1", f"{vendor}-2")
    )
    pool = await resources.pool()
    for event in (registered, award, last):
        (stored,) = await ingest_batch(pool, [case_b.line(event)])
        assert isinstance(stored, Accepted), stored
    # A new award, never stored; the stored award's id with another title, ahead of it; and a
    # record no event at all (its amount a word) that still names its id.
    forged = envelope(
        "contract.awarded", example("contract.awarded", contract_id=f"{vendor}-forged"), vendor
    )
    retitled = {**award, "payload": {**award["payload"], "title": "Forged title"}}
    unreadable = envelope(
        "contract.awarded", example("contract.awarded", amount="a great deal"), vendor
    )
    await _produce(
        kafka_bootstrap,
        vendor,
        [
            (_as_stored(registered), "vendor.registered"),
            (_as_stored(forged), "contract.awarded"),
            (_as_stored(retitled), "contract.awarded"),
            (_as_stored(award), "contract.awarded"),
            (case_b.line(unreadable), None),
            (_as_stored(last), "contract.awarded"),
        ],
    )
    settings = resources.settings
    runs = []
    for consumer in _followers(settings):
        batches = TopicBatches(f"it-facts-{consumer.name}-{uuid.uuid4().hex[:8]}")
        batches.add(
            TOPICS["facts"].name,
            partial(apply_facts, consumer, resources),
            Liveness(f"{consumer.name}.facts"),
        )
        runs.append(
            asyncio.create_task(batches.run(kafka_bootstrap, KafkaCredentials.from_env({})))
        )
    try:

        async def all_read() -> bool:
            # The last record claimed by each: those before it were read (one partition).
            claimed = await pool.fetchval(
                "SELECT count(*) FROM processed_events WHERE event_id = $1",
                uuid.UUID(last["event_id"]),
            )
            return bool(claimed == len(FOLLOWERS))

        await eventually(all_read, "every follower to read the records written to facts", 60)
    finally:
        for run in runs:
            run.cancel()
        await asyncio.gather(*runs, return_exceptions=True)

    # What the log holds is applied, as it holds it; nothing else is.
    contracts = await pool.fetch(
        "SELECT contract_id, title FROM migration_contracts WHERE vendor_id = $1"
        " ORDER BY contract_id",
        vendor,
    )
    title = award["payload"]["title"]
    assert [tuple(r) for r in contracts] == [(f"{vendor}-1", title), (f"{vendor}-2", title)]
    assert not await pool.fetchval(
        "SELECT count(*) FROM processed_events WHERE event_id = ANY($1::uuid[])",
        [uuid.UUID(e["event_id"]) for e in (forged, unreadable)],
    )
    handlers = handled_by(
        service_consumers(settings, registry.policies(settings), risk.service(settings))
    )
    await _assert_refused_by_each_follower(
        pool, handlers, forged, "not in the event log: only the registry writes the facts topic"
    )
    await _assert_refused_by_each_follower(pool, handlers, unreadable, "payload.amount")
    reasons = await pool.fetch(
        "SELECT stage, reason FROM dead_letters WHERE event_id = $1 ORDER BY stage",
        uuid.UUID(award["event_id"]),
    )
    assert [r["stage"] for r in reasons] == sorted(FOLLOWERS)
    assert all(
        r["reason"].startswith("not the event the log holds under its id") for r in reasons
    ), reasons


async def _assert_refused_by_each_follower(
    pool: asyncpg.Pool, handlers: Mapping[str, Collection[str]], event: dict[str, Any], reason: str
) -> None:
    """`eventStatus`: not in the log, refused by each follower with `reason`, nothing applied
    and nothing pending."""
    async with pool.acquire() as conn:
        status = await status_of(conn, uuid.UUID(event["event_id"]), handlers)
    assert not status.accepted
    assert status.applied_by == []
    assert status.refused_by == [StageName.RISK, StageName.MIGRATION, StageName.ALERTS]
    assert status.pending == []
    assert sorted(d.stage for d in status.dead_letters) == sorted(FOLLOWERS)
    assert all(d.event_type == "contract.awarded" for d in status.dead_letters)
    assert all(reason in d.reason for d in status.dead_letters), status.dead_letters


async def test_the_live_fan_out_hands_on_only_what_the_log_holds(
    resources: WorkerResources, kafka_bootstrap: str
) -> None:
    """The API's follower of `facts` (`kafka.follow`, which feeds the subscriptions): a
    forged award there reached subscribers, and took the place of a stored event whose id
    it gave (a subscriber sees an id once)."""
    vendor = f"vendor-{uuid.uuid4().hex[:10]}"
    registered = case_b.registered(vendor)
    award = envelope("contract.awarded", example("contract.awarded", contract_id=vendor), vendor)
    pool = await resources.pool()
    for event in (registered, award):
        (stored,) = await ingest_batch(pool, [case_b.line(event)])
        assert isinstance(stored, Accepted), stored
    forged = envelope(
        "contract.awarded", example("contract.awarded", contract_id=f"{vendor}-forged"), vendor
    )
    retitled = {**award, "payload": {**award["payload"], "title": "Forged title"}}
    handed: list[EventEnvelope] = []
    credentials = KafkaCredentials.from_env({})
    following = asyncio.create_task(follow(kafka_bootstrap, credentials, pool, handed.append))
    try:

        async def following_now() -> bool:
            # It reads from the end as it found it: the registration sent until it arrives.
            await _produce(kafka_bootstrap, vendor, [(_as_stored(registered), None)])
            return bool(handed)

        await eventually(following_now, "the fan-out to follow the facts topic", 60)
        await _produce(
            kafka_bootstrap,
            vendor,
            [(_as_stored(e), "contract.awarded") for e in (forged, retitled, award)],
        )

        async def award_handed() -> bool:
            return any(e.event_id == uuid.UUID(award["event_id"]) for e in handed)

        await eventually(award_handed, "the stored award to be handed on", 30)
    finally:
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)
    others = [e for e in handed if e.event_id != uuid.UUID(registered["event_id"])]
    assert [(str(e.event_id), e.payload.model_dump()["title"]) for e in others] == [
        (award["event_id"], award["payload"]["title"])
    ]
