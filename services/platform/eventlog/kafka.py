"""Kafka adapter: an idempotent aiokafka producer keyed by vendor id, and a group-less
follower of the facts topic for live fan-out (the consuming services use faust_runtime)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.client import AIOKafkaClient
from aiokafka.errors import KafkaError, KafkaTimeoutError

from services.events.base import EventEnvelope
from services.events.catalog import EventRejected, parse_event, size_problem
from services.platform.consuming import stored_only
from services.platform.eventlog.base import Writer, vendor_key
from services.platform.eventlog.bootstrap import checked_bootstrap
from services.platform.eventlog.credentials import KafkaCredentials
from services.platform.eventlog.kafka_login import unusable
from services.platform.eventlog.partitioning import key_partition
from services.platform.eventlog.topic_batches import EVENT_TYPE_HEADER, Record
from services.platform.eventlog.topics import ENTRANCES, TOPICS
from services.platform.eventstore.chain import partition_of
from services.platform.eventstore.event_store import canonical_json
from services.platform.postgres.database import ConnectionSource

log = logging.getLogger(__name__)

# Messages that queue while a request is in flight go in one batch per partition (aiokafka's
# default caps a batch at 16 KiB, some 15 events): fewer requests for the broker, no wait
# added (linger stays 0).
MAX_BATCH_BYTES = 262_144
# How long a request may wait for the broker's answer before the send fails.
REQUEST_TIMEOUT_MS = 15_000


def _partition(key: bytes | None, all_partitions: list[int], available: list[int]) -> int:
    """On the entrances, the partition Kafka's default partitioner picks for the key, the one
    ingest expects of every producer (`partitioning.key_partition`); keyless input goes
    anywhere."""
    if key is None:
        return random.choice(available or all_partitions)
    return all_partitions[key_partition(key, len(all_partitions))]


def _store_partition(key: bytes, partitions: list[int]) -> int:
    """On `events` and `facts`, a vendor's Kafka partition is its event-store partition
    (chain.partition_of), so that one worker's batches lock one set of chains."""
    return partitions[partition_of(key.decode()) % len(partitions)]


class KafkaEventLog:
    """Submits input to its writer's topic and forwards stored events on to the consumers."""

    stored_on_submit = False  # ingest stores it when it reads the topic

    def __init__(
        self,
        bootstrap: str,
        credentials: KafkaCredentials,
        *,
        acknowledged_within: float | None = None,
    ) -> None:
        # Before a producer tries it: `publish --kafka host:99999` showed asyncio's traceback.
        self._bootstrap = checked_bootstrap(bootstrap)
        self._credentials = credentials
        # How long `submit` waits for the broker's acknowledgement (None: until it comes).
        # The API's (`Settings.broker_ack_seconds`): a mutation waited for a broker that was
        # down until the request's own limit cut it off, 30 s, and answered TIMEOUT.
        self._acknowledged_within = acknowledged_within
        self._producer = self._new_producer()
        self._stopped = False  # the producer's start failed: the next start makes another
        self._renewing = asyncio.Lock()

    def _new_producer(self) -> AIOKafkaProducer:
        # aiokafka defaults to acks=1 without idempotence: a broker failover could drop or
        # duplicate a message. Both are set so an acknowledged send is durable and unique.
        return AIOKafkaProducer(
            bootstrap_servers=self._bootstrap,
            acks="all",
            enable_idempotence=True,
            request_timeout_ms=REQUEST_TIMEOUT_MS,
            max_batch_size=MAX_BATCH_BYTES,
            partitioner=_partition,
            **self._credentials.aiokafka_options(),
        )

    async def start(self) -> None:
        """Starts the producer; one that failed to start may be started again (a process
        starting waits for Kafka so)."""
        if self._stopped:
            # A stopped producer does not start again. Made here, not when the last failed:
            # one made then and never started or stopped (a `publish` giving up) was reported
            # unclosed as the process ended.
            self._producer, self._stopped = self._new_producer(), False
        try:
            await self._producer.start()
        except Exception as error:  # an OSError or a time-out too: the next start is afresh
            await self._producer.stop()
            self._stopped = True
            if isinstance(error, KafkaError):
                raise await unusable(self._bootstrap, self._credentials, error) from error
            raise

    async def stop(self) -> None:
        await self._producer.stop()

    async def submit(self, raws: Sequence[bytes], writer: Writer = Writer.PRODUCER) -> None:
        """Sends every event but those too large to be one: the broker would refuse them,
        failing the whole submit, and ingest could only refuse them. Callers that report
        verdicts (publish, the API) find them with `parse_event` first."""
        topic = TOPICS[ENTRANCES[writer]].name
        sendable = [raw for raw in raws if size_problem(raw) is None]
        if len(sendable) < len(raws):
            log.warning("not sent: %d events too large to be one", len(raws) - len(sendable))
        await self._send_all(topic, [(vendor_key(raw), raw) for raw in sendable])

    async def forward(
        self, topic_role: str, envelopes: Sequence[EventEnvelope], *, until: float | None = None
    ) -> set[uuid.UUID]:
        """Passes stored events on, to the registry (`events`) or past it (`facts`), each
        with its event type declared in a header (a consumer that does not apply that type
        need not parse it: consumer.apply_serialized_batch); each partition's in order, with
        no gap (`send_in_order`). Returns the events left unsent because `until` passed:
        each partition's last ones."""
        topic = TOPICS[topic_role].name
        partitions = sorted(await self._producer.partitions_for(topic))
        shares: dict[int, list[Record]] = defaultdict(list)
        ids: dict[int, list[uuid.UUID]] = defaultdict(list)
        for e in envelopes:
            key = e.vendor_id.encode()
            partition = _store_partition(key, partitions)
            shares[partition].append(Record(key, canonical_json(e).encode(), e.event_type))
            ids[partition].append(e.event_id)
        acknowledged = await self.send_in_order(topic, shares, until=until)
        return {i for p, sent in acknowledged.items() for i in ids[p][sent:]}

    async def send_in_order(
        self, topic: str, shares: Mapping[int, Sequence[Record]], *, until: float | None = None
    ) -> dict[int, int]:
        """Sends each partition's records in order, a batch at a time, each batch only once
        the broker acknowledged the one before: a batch that fails (no leader for longer
        than the request timeout, a batch the broker refuses) raises before any later record
        of its partition is queued. Sent each on its own, the producer's later batches of the
        partition went on after a failed one, and the retry's resend of the whole stretch
        reached the consumers after records that follow it in the store
        (ingest/forwarding.py). On a failure every partition's send ends first (the caller's
        locks then mean no send is in flight), and the producer is renewed.

        `until` (a `time.monotonic()` deadline): no batch starts after it but each
        partition's first, so a caller holding locks meanwhile holds them a bounded time
        however slowly the broker answers. Returns, per partition, how many of its records
        were acknowledged (a prefix)."""
        producer = self._producer
        results = await asyncio.gather(
            *(_send_partition(producer, topic, p, records, until) for p, records in shares.items()),
            return_exceptions=True,
        )
        if (failed := next((r for r in results if isinstance(r, BaseException)), None)) is not None:
            await self._renew(producer)
            raise failed
        return {p: sent for p, sent in zip(shares, results, strict=True) if isinstance(sent, int)}

    async def _send_all(self, topic: str, messages: list[tuple[bytes | None, bytes]]) -> None:
        """Sends (key, value) messages and returns once the broker has acknowledged each, or
        raises KafkaTimeoutError (an outage: `outages.out_of_reach`) once it has not within
        `acknowledged_within`. The producer keeps what it was given and sends it once the
        broker is back (an idempotent producer never gives a record up, and cannot be told to):
        so it may still be recorded, which the API's UNAVAILABLE answer says, as for
        PostgreSQL, and a retry under the same idempotency key records it once."""
        producer = self._producer
        deadline = asyncio.timeout(self._acknowledged_within)
        try:
            async with deadline:
                pending = [await producer.send(topic, value, key=key) for key, value in messages]
                for delivery in pending:
                    await asyncio.shield(delivery)  # the producer's future, left to it
        except TimeoutError as error:
            if not deadline.expired():
                raise
            raise KafkaTimeoutError(
                f"the broker acknowledged no event within {self._acknowledged_within:g} s"
            ) from error
        except KafkaError:
            await self._renew(producer)
            raise

    async def _renew(self, failed: AIOKafkaProducer) -> None:
        """After a failed send, a new producer in place of `failed`. aiokafka numbers each
        batch of a partition as it sends it and takes no number back when the batch fails,
        so the broker, which expects the failed number still, refused every later batch of
        that partition as out of order: the retries never got through until the process
        restarted. A new producer has a new producer id, numbered from zero."""
        async with self._renewing:
            if self._producer is not failed:
                return  # another failed send renewed it already
            fresh = self._new_producer()
            try:
                await fresh.start()
            except KafkaError:
                await fresh.stop()  # the broker away: the next failed send tries again
                raise
            self._producer = fresh
        with contextlib.suppress(KafkaError):
            await failed.stop()  # what it still holds fails, and its senders retry


async def _send_partition(
    producer: AIOKafkaProducer,
    topic: str,
    partition: int,
    records: Sequence[Record],
    until: float | None,
) -> int:
    """One partition's records, a batch at a time (`KafkaEventLog.send_in_order`); how many
    were acknowledged."""
    sent = 0
    while sent < len(records) and (sent == 0 or until is None or time.monotonic() < until):
        batch = producer.create_batch()
        taken = 0
        for record in records[sent:]:  # a batch takes at least its first record, however large
            headers = (
                []
                if record.event_type is None
                else [(EVENT_TYPE_HEADER, record.event_type.encode())]
            )
            if (
                batch.append(key=record.key, value=record.value, timestamp=None, headers=headers)
                is None
            ):
                break
            taken += 1
        batch.close()  # nothing else joins it (the producer's own sends to the partition)
        await (await producer.send_batch(batch, topic, partition=partition))
        sent += taken
    return sent


async def follow(
    bootstrap: str,
    credentials: KafkaCredentials,
    pool: ConnectionSource,
    handle: Callable[[EventEnvelope], None],
) -> None:
    """Hands every fact produced from now on to `handle`, until cancelled, if the log holds
    it as read (`stored_only.FACTS`, one statement a fetch): only the registry writes the
    topic, and a record written there past it (a broker without the ACLs) reached
    subscribers as news of what never happened, and took the place of the event whose id it
    gave (a subscriber sees an id once). No consumer group: every API replica reads every
    partition, for its own subscribers."""
    consumer = AIOKafkaConsumer(
        TOPICS["facts"].name,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="latest",
        enable_auto_commit=False,
        **credentials.aiokafka_options(),
    )
    try:
        await consumer.start()
    except KafkaError as error:
        await consumer.stop()
        raise await unusable(bootstrap, credentials, error) from error
    try:
        while True:
            fetched = await consumer.getmany(timeout_ms=_FOLLOW_WAIT_MS)
            # Each partition's in order; the partitions' orders are independent.
            raws = [m.value for messages in fetched.values() for m in messages]
            if raws:
                await _hand_on(pool, raws, handle)
    finally:
        await consumer.stop()


# How long a fetch of `follow` waits for a fact (a fact is handed on as soon as it comes).
_FOLLOW_WAIT_MS = 1_000


async def _hand_on(
    pool: ConnectionSource, raws: Sequence[bytes | None], handle: Callable[[EventEnvelope], None]
) -> None:
    envelopes: list[EventEnvelope] = []
    read_from: list[bytes] = []
    for raw in raws:
        try:
            envelopes.append(parse_event(raw))
            read_from.append(raw or b"")
        except EventRejected as rejection:
            log.warning("skipping an invalid event on the facts topic: %s", rejection)
    held, refused = await stored_only.FACTS.sort(pool, envelopes, read_from)
    for event, _raw, reason in refused:
        log.warning("skipping %s on the facts topic: %s", event.event_id, reason)
    for event in held:
        handle(event)


async def reach(bootstrap: str, credentials: KafkaCredentials) -> None:
    """Connects to the cluster and fetches its metadata, as this process's principal; raises
    when no broker answers, or one refuses the login (readiness, liveness)."""
    client = AIOKafkaClient(bootstrap_servers=bootstrap, **credentials.aiokafka_options())
    try:
        await client.bootstrap()
    except KafkaError as error:
        raise await unusable(bootstrap, credentials, error) from error
    finally:
        await client.close()
