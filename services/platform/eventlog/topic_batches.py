"""A worker's Kafka consumption: one aiokafka group member per worker process, reading its
topics in batches (`getmany`) and handing each topic's records to that topic's batch handler.

Why not faust's agents: a faust stream moves every message on its own (a callback, a queue
hop and a wake-up of the agent per message, a task and an `asyncio.wait` per fetch), and
in the registry's worker that plumbing was some 70 % of the process's CPU against 10 % for
applying the batches (ARCHITECTURE.md, "Batch application"). `getmany` hands over what a
fetch brought in one call. faust still hosts the worker: its lifecycle, signals, timers,
tasks and web server (`faust_runtime.build_app`, whose own consumer is left off).

Offsets are committed only after every handler's transaction committed, so a crash or a stop
never commits past an event that was not applied; what a crash redelivers, the ledgers
recognise (exactly-once effects). A rebalance waits for the batch in hand (the listener takes
the same lock), so the next owner of a partition starts after its last commit, as long as the
batch ends within REBALANCE_TIMEOUT_MS (past it the member is evicted and the ledgers alone
keep the effects once); records of a partition revoked between the fetch and the handling are
left to that next owner.

aiokafka rides out lost brokers and coordinators itself (`tests/e2e/test_outages.py`); an
error it raises from a fetch ends the worker (faust stops when a task fails), for its
supervisor to start it again, as after any crash.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError

from services.platform.consuming.consumer import BATCH_SIZE
from services.platform.eventlog.credentials import KafkaCredentials
from services.platform.operations.liveness import Liveness
from services.platform.operations.retry import until_done

log = logging.getLogger(__name__)

# How long a fetch waits for a first record (aiokafka returns as soon as one is there).
FETCH_WAIT_MS = 200
# A worker that dies (OOM, SIGKILL) holds its partitions until its session expires: Kafka's
# classic 10 s, not minutes, so its vendors' events wait no longer than that.
SESSION_TIMEOUT_MS = 10_000
# How long a rebalance waits for a member to finish the batch in hand and rejoin (aiokafka's
# default is the session timeout). A batch riding out a PostgreSQL outage (`until_done`) or
# waiting for a rebuild's lock takes longer than 10 s; evicted meanwhile, the member would
# still be applying it when the next owner starts on the same records (the ledgers keep that
# exactly-once, but both would do the work). Below aiokafka's request timeout (40 s): the
# other members' JoinGroup requests wait for the rebalance, and one timing out is logged as an
# error and sent again.
REBALANCE_TIMEOUT_MS = 30_000

# The header in which VendorWatch's own producers declare a record's event type.
EVENT_TYPE_HEADER = "event_type"


class Record(NamedTuple):
    """A Kafka record as batch handlers get it."""

    key: bytes | None  # None: sent without one
    value: bytes | None  # None: a record without one (a tombstone), which no event is
    # The event type its producer declared (EVENT_TYPE_HEADER; None: none declared): lets a
    # consumer leave unparsed the records of events it does not apply.
    event_type: str | None = None
    # Where it was read: its partition, of how many the topic has (ingest checks that the
    # key picks it); None for a record that was not read from a topic.
    partition: int | None = None
    partitions: int | None = None


Handle = Callable[[list[Record]], Awaitable[None]]


@dataclass
class TopicBatches:
    """The topics a worker reads, each with its batch handler and liveness (/healthz)."""

    group: str
    handlers: dict[str, tuple[Handle, Liveness]] = field(default_factory=dict)
    consumer: AIOKafkaConsumer | None = None  # while running
    # Per partition this member holds, the group's committed offset (the lag's start).
    committed: dict[TopicPartition, int] = field(default_factory=dict)
    _in_hand: asyncio.Lock = field(default_factory=asyncio.Lock)  # the batch being applied

    def add(self, topic: str, handle: Handle, liveness: Liveness) -> None:
        self.handlers[topic] = (handle, liveness)

    def consumer_options(self, bootstrap: str, credentials: KafkaCredentials) -> dict[str, Any]:
        """The group member's settings: its group, where it commits, and its login."""
        return {
            "bootstrap_servers": bootstrap,
            "group_id": self.group,
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            "session_timeout_ms": SESSION_TIMEOUT_MS,
            "rebalance_timeout_ms": REBALANCE_TIMEOUT_MS,
            "max_poll_records": BATCH_SIZE,
            **credentials.aiokafka_options(),
        }

    async def run(self, bootstrap: str, credentials: KafkaCredentials) -> None:
        """Consumes until cancelled."""
        consumer = AIOKafkaConsumer(**self.consumer_options(bootstrap, credentials))
        consumer.subscribe(list(self.handlers), listener=_Rebalances(self))
        self.consumer = consumer
        await consumer.start()
        try:
            while True:
                fetched = await consumer.getmany(timeout_ms=FETCH_WAIT_MS, max_records=BATCH_SIZE)
                if fetched:
                    async with self._in_hand:
                        await self._apply(consumer, fetched)
        finally:
            self.consumer = None
            await consumer.stop()

    async def _apply(
        self, consumer: AIOKafkaConsumer, fetched: dict[TopicPartition, list[Any]]
    ) -> None:
        held = consumer.assignment()
        by_topic: dict[str, list[Record]] = defaultdict(list)
        ends: dict[TopicPartition, int] = {}
        for tp, messages in fetched.items():
            if tp in held:
                count = len(consumer.partitions_for_topic(tp.topic) or ()) or None
                by_topic[tp.topic] += [
                    Record(m.key, m.value, _declared_type(m.headers), tp.partition, count)
                    for m in messages
                ]
                ends[tp] = messages[-1].offset + 1
        if not ends:  # every partition fetched from was reassigned meanwhile
            return
        await asyncio.gather(
            *(
                until_done(
                    partial(_attempt, handle, by_topic[topic], liveness), liveness.name, liveness
                )
                for topic, (handle, liveness) in self.handlers.items()
                if by_topic[topic]
            )
        )
        try:
            await consumer.commit(ends)
        except KafkaError as error:
            # Reassigned meanwhile, or Kafka away: what was applied comes again, and the
            # ledgers know it.
            log.warning("%s: offsets not committed, to be redelivered: %s", self.group, error)
            return
        self.committed.update(ends)

    async def lags(self) -> dict[str, dict[int, int]]:
        """Per topic and assigned partition: the high watermark minus the committed offset
        (Kafka's consumer lag, as `kafka-consumer-groups` reports it). The committed offsets
        are this member's own (read when it was given the partitions, then its commits): a
        probe asks the brokers for the high watermarks only, not the group's coordinator,
        which is busy while the group rebalances."""
        consumer, starts = self.consumer, dict(self.committed)
        if consumer is None or not starts:
            return {}
        highwaters = await consumer.end_offsets(list(starts))
        lags: dict[str, dict[int, int]] = defaultdict(dict)
        for tp, start in starts.items():
            lags[tp.topic][tp.partition] = max(0, highwaters[tp] - start)
        return dict(lags)

    async def revoked(self) -> None:
        """A rebalance goes on only once the batch in hand is applied and committed."""
        async with self._in_hand:
            self.committed.clear()

    async def assigned(self, partitions: Iterable[TopicPartition]) -> None:
        """Where the group left each partition it gives this member (the log's start for
        one it never committed)."""
        consumer = self.consumer
        assert consumer is not None
        starts = {tp: await consumer.committed(tp) for tp in partitions}
        never = [tp for tp, offset in starts.items() if offset is None]
        earliest = await consumer.beginning_offsets(never) if never else {}
        self.committed.clear()
        self.committed.update({tp: earliest.get(tp, offset) for tp, offset in starts.items()})


async def _attempt(handle: Handle, records: list[Record], liveness: Liveness) -> None:
    """One attempt at a topic's batch, in progress on its liveness: stuck past the stall
    time (a statement blocked on a lock, a connection that no longer answers), as the
    embedded consumers' batches are (liveness.py)."""
    with liveness.working(f"applying a batch of {len(records)} records"):
        await handle(records)


class _Rebalances(ConsumerRebalanceListener):  # type: ignore[misc]
    """aiokafka's rebalance callbacks, handed to the member."""

    def __init__(self, batches: TopicBatches) -> None:
        self._batches = batches

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        await self._batches.revoked()

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        await self._batches.assigned(assigned)


def _declared_type(headers: Iterable[tuple[str, bytes | None]]) -> str | None:
    """The type a record declares, if any: whatever a producer wrote, never an error (a
    header may have no value, or bytes that are not UTF-8)."""
    for name, value in headers:
        if name == EVENT_TYPE_HEADER and isinstance(value, bytes):
            return value.decode(errors="replace")
    return None
