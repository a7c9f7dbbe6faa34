"""What a distributed run leaves behind, compared with an uninterrupted embedded run of the
same events: the proof, for the tests that crash or cut off workers, that nothing was lost and
nothing applied twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections import Counter
from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from services.alerts import handlers as alert_handlers
from services.events.catalog import EMITTED_TYPES
from services.ingest.admission import EMITS
from services.ingest.handlers import ingest_batch
from services.migration import plan_opening as migration_opening
from services.migration import planner_queue
from services.platform.clock import Clock
from services.platform.consuming.consumer import Consumer
from services.platform.eventlog.embedded import EmbeddedEventLog, drain
from services.platform.eventlog.topics import ENTRANCES, load_topics, namespaced
from services.platform.postgres.database import open_pool
from services.registry import announcements as registry_announcements
from services.risk import handlers as risk_handlers
from tests.support import postgres
from tests.support.risk_answers import history_as_read
from tests.support.throughput import batches
from tests.support.workload import Workload

OUTBOXES = (
    registry_announcements.OUTBOX,
    risk_handlers.OUTBOX,
    migration_opening.OUTBOX,
    alert_handlers.OUTBOX,
)


@dataclass(frozen=True)
class Effects:
    """What a run left in its database, as multisets two runs (and the workload) can be
    compared by: a duplicate shows as a count of 2, a loss as a missing element."""

    stored: Counter[uuid.UUID]  # input events in the store
    ledgers: dict[str, Counter[tuple[uuid.UUID, bool]]]  # per consumer: (event, refused)
    # vendor, event, as of, score and band as read (derived: risk_answers.history_as_read)
    history: Counter[tuple[str, uuid.UUID, dt.date, float, str]]
    announcements: Counter[tuple[str, str, str]]  # vendor, event type, payload
    registry: Counter[tuple[str, str]]  # (table, what) per row kind
    dead_letters: list[str]


async def effects(pool: asyncpg.Pool, consumers: Sequence[str]) -> Effects:
    """What the run left, the ledgers of these consumers included."""
    emitted = sorted(EMITTED_TYPES)
    stored = await pool.fetch(
        "SELECT event_id FROM event_store WHERE event_type <> ALL($1::text[])", emitted
    )
    ledgers: dict[str, Counter[tuple[uuid.UUID, bool]]] = {name: Counter() for name in consumers}
    for row in await pool.fetch(
        "SELECT consumer, event_id, refused FROM processed_events WHERE consumer = ANY($1)",
        list(consumers),
    ):
        ledgers[row["consumer"]][(row["event_id"], row["refused"])] += 1
    async with pool.acquire() as conn:
        history = await history_as_read(conn)
    # An alert is compared by what it says: its `raised_at` is the clock of the process that
    # raised it, its `cause_event_id` (and `alert_id`, derived from it) the id the registry
    # gave its announcement, which is the run's own.
    announced = await pool.fetch(
        "SELECT vendor_id, event_type,"
        " ((envelope -> 'payload') - 'raised_at' - 'cause_event_id' - 'alert_id')::text"
        " AS payload FROM event_store WHERE event_type = ANY($1::text[])",
        emitted,
    )
    registry = await pool.fetch(
        """SELECT 'vendors' AS kind, '' AS what FROM registry_vendors
           UNION ALL SELECT 'contracts', agency FROM registry_contracts
           UNION ALL SELECT 'incidents', status FROM registry_incidents
           UNION ALL SELECT 'sanctions', kind FROM registry_sanctions
           UNION ALL SELECT 'eligibility', vendor_id || ' ' || eligible || ' '
                                           || coalesce(eligible_again_on::text, '') || ' '
                                           || coalesce(barring, '')
                     FROM registry_eligibility_state"""
    )
    letters = await pool.fetch("SELECT stage, reason FROM dead_letters ORDER BY id LIMIT 5")
    return Effects(
        stored=Counter(row["event_id"] for row in stored),
        ledgers=ledgers,
        history=Counter(
            (vendor, uuid.UUID(event), dt.date.fromisoformat(day), float(score), band)
            for vendor, event, day, score, band, *_ in history
        ),
        announcements=Counter(tuple(row) for row in announced),
        registry=Counter((row["kind"], row["what"]) for row in registry),
        dead_letters=[f"{row['stage']}: {row['reason']}" for row in letters],
    )


_T = TypeVar("_T", bound=Hashable)


def assert_same(actual: Counter[_T], expected: Counter[_T], what: str) -> None:
    """Multisets equal, or a message naming what was lost and what is extra (duplicates)."""
    lost, extra = expected - actual, actual - expected
    assert not lost and not extra, (
        f"{what}: {lost.total()} lost (e.g. {list(lost)[:3]}),"
        f" {extra.total()} extra or duplicated (e.g. {list(extra)[:3]})"
    )


async def clear_of_midnight(clock: Clock, seconds: float) -> dt.date:
    """The registry's today once a run of `seconds` from now stays within one local date:
    waits past midnight when it is nearer. Reference effects are those of one day, and the
    workers announce the eligibility of the day they apply an event on."""
    now = clock.now()
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), now.tzinfo)
    left = (midnight - now).total_seconds()
    if left < seconds:
        print(f"waiting {left:.0f} s for the registry's midnight to pass")
        await asyncio.sleep(left + 1)
    return clock.today()


async def reference_effects(
    test_databases: postgres.TestDatabases,
    workload: Workload,
    consumers: Sequence[Consumer],
    planning: Clock | None = None,
) -> Effects:
    """The effects of the workload applied without interruption in embedded mode, on a
    database of its own: ingested a producer's batch at a time, each consumer drained in
    the order embedded mode starts them, the outboxes relayed into the log; again, until
    the services have nothing left to say (the migration takes the registry's
    announcements, and announces plans in turn). Given `planning`, the planner schedules
    the plans due, as of that clock, each time (the distributed run must then include the
    migration worker)."""
    url = await test_databases.create()
    try:
        pool = await open_pool(url, migrate=False)
        try:
            log = EmbeddedEventLog(pool, ingest_batch)
            for batch in batches(workload.raws):
                await log.submit(batch)
            while True:
                for consumer in consumers:
                    await drain(pool, consumer)
                if planning is not None:
                    await planner_queue.replan_all_due(pool, planning)
                if not await _pending(pool):
                    return await effects(pool, [c.name for c in consumers])
                for outbox in OUTBOXES:
                    await outbox.relay_all(pool, log)
        finally:
            await pool.close()
    finally:
        await test_databases.drop(url)


class KafkaProbe:
    """Asks the broker whether the workers' topics exist and how far a group has read."""

    def __init__(self, bootstrap: str) -> None:
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self._offsets = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)

    async def start(self) -> None:
        await self._admin.start()
        await self._offsets.start()

    async def close(self) -> None:
        await self._offsets.stop()
        await self._admin.close()

    async def topics_created(self) -> bool:
        existing = set(await self._admin.list_topics())
        return all(spec.name in existing for spec in load_topics().values())

    async def messages(self, topic_role: str) -> int:
        """How many messages the topic holds (none is ever deleted during a test)."""
        return sum((await self._ends(topic_role)).values())

    async def unread(self, stage: str, topic_role: str) -> int:
        """Messages of the topic the stage's consumer group has not committed yet."""
        ends = await self._ends(topic_role)
        committed = await self._admin.list_consumer_group_offsets(
            namespaced(f"vendorwatch-{stage}"), partitions=list(ends)
        )
        return sum(
            end - (max(committed[tp].offset, 0) if tp in committed else 0)
            for tp, end in ends.items()
        )

    async def _ends(self, topic_role: str) -> dict[TopicPartition, int]:
        spec = load_topics()[topic_role]
        partitions = [TopicPartition(spec.name, p) for p in range(spec.partitions)]
        ends: dict[TopicPartition, int] = await self._offsets.end_offsets(partitions)
        return ends


async def _pending(pool: asyncpg.Pool) -> int:
    """Announcements in the outboxes, not yet relayed."""
    return sum([await pool.fetchval(f"SELECT count(*) FROM {o.table}") for o in OUTBOXES])


# The topics the emitting workers relay their outboxes into, one each.
EMITTED_ROLES = tuple(ENTRANCES[writer] for writer in EMITS)

# The workers whose groups read each topic the announcements travel through once stored:
# the registry takes `events` (every stored event) and passes on to `facts` what it accepted
# and the services' announcements; its alerts, risk and migration take `facts`.
READERS = {"events": ("registry",), "facts": ("registry", "risk", "migration")}


async def announcements_applied(
    pool: asyncpg.Pool, probe: KafkaProbe, workers: Collection[str]
) -> bool:
    """Every announcement decided so far is stored and taken by the running `workers`: the
    outboxes are empty (relayed into the emitted topics), ingest's group has read those
    to their ends, and each of those workers' groups has committed the topics it reads to their
    ends (a group commits what it applied). Stored alone was not enough: migration could
    still be taking the last announcements when the ledgers were read (2404 of 2410 once)."""
    if await _pending(pool):
        return False
    for topic_role in EMITTED_ROLES:
        if await probe.unread("ingest", topic_role):
            return False
    # A plan opened and not scheduled yet: the migration worker's planner has its
    # `migration.plan_scheduled` still to decide (6 of them once, as the test looked).
    if "migration" in workers and await pool.fetchval(
        "SELECT count(*) FROM migration_plans WHERE planned_revision < revision"
    ):
        return False
    for topic_role, readers in READERS.items():
        for worker in set(readers) & set(workers):
            if await probe.unread(worker, topic_role):
                return False
    return True
