"""No event is lost and no effect is applied twice when workers are SIGKILLed mid-stream, at
volume (faust issue #606; the event core's acceptance criterion: 30,000 events, 10 kill -9s
spread over ingest, registry and risk).

Two replicas each of the ingest, registry and risk workers run as real processes over a real
Kafka while the events (tests/support/spread_workload.py) are published into the raw topic in
chunks. Ten times, once a stage has reached its next share of the work, at a moment its ledger
has just grown and more work waits for it, one of its replicas is SIGKILLed and a replacement
started. Once everything is applied, the distributed run must have left exactly the effects of
an uninterrupted embedded run of the same events on a second database: the event store holds
every input event once, each consumer's ledger exactly the events it takes, risk history one
row per event and vendor with the same scores, the same `risk.changed` and
`vendor.eligibility_changed` announcements (by vendor, type and payload: their ids and times
are fresh in each run), the same registry, no dead letter, intact chains. Both runs judge
eligibility and risk as of the registry's today, so a run across its midnight fails (rerun).

CI (`./scripts/test`) runs the full size, 30,000 events: 2 to 3 minutes on a 2-core machine
(the uninterrupted reference ~45 s, the distributed run with its kills 65-90 s, the rest
starting and stopping). VENDORWATCH_CRASH_EVENTS sets another size (a multiple of 10), e.g.:

    VENDORWATCH_CRASH_EVENTS=3000 .venv/bin/pytest tests/e2e/test_distributed_crash_recovery.py -s

The ten kills are the same at any size. `-s` prints the figures: when each kill came and how
far its stage was, how long each part took, how many messages the kills made Kafka deliver
again (which the ledgers had to absorb).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
import uuid
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from services.cli.consumers import service_consumers
from services.events.catalog import EMITTED_TYPES
from services.ingest.handlers import ingest_batch
from services.platform import verification
from services.platform.consumer import Consumer
from services.platform.database import open_pool
from services.platform.eventlog.embedded import EmbeddedEventLog, drain
from services.platform.eventlog.topics import load_topics, namespaced
from services.platform.settings import Settings
from services.registry import announcements as registry_announcements
from services.registry import setup as registry_setup
from services.risk import handlers as risk_handlers
from services.risk import setup as risk_setup
from tests.support import postgres, spread_workload
from tests.support.processes import Service, eventually
from tests.support.throughput import LedgerWatch, batches, expected_per_consumer, produce
from tests.support.workload import Workload

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

EVENTS_VARIABLE = "VENDORWATCH_CRASH_EVENTS"
FULL_EVENTS = 30_000
# The consumers of the killed workers. Migration is left out: it is not killed, and its
# planner (CP-SAT, for the vendors a sanction bars) would only slow the others down.
CONSUMERS = ("registry", "risk")
STAGES = ("ingest", *CONSUMERS)
REPLICAS = 2
# Kill -9s per stage, ten in all: risk, the slowest, is in flight longest.
KILLS = {"ingest": 3, "registry": 3, "risk": 4}
# Events per publish; at most AHEAD events are published that the registry has not applied,
# so that ingest keeps working (and can be killed working) until the end, not only at first.
CHUNK = 1_000
AHEAD = 2 * CHUNK
POLL_SECONDS = 0.2
START_SECONDS = 120.0
OUTBOXES = (registry_announcements.OUTBOX, risk_handlers.OUTBOX)


def crash_events() -> int:
    """The workload size: VENDORWATCH_CRASH_EVENTS, or the full size."""
    return int(os.environ.get(EVENTS_VARIABLE, FULL_EVENTS))


def _timeout(events: int) -> float:
    """Seconds the distributed run may take, kills and all: 30,000 events take about 70 here,
    so a stalled consumer fails the run within CI's budget, a slower machine does not."""
    return 120.0 + events / 50


def _consumers(settings: Settings) -> list[Consumer]:
    """The killed workers' consumers, built as the workers and embedded mode build them."""
    every = service_consumers(
        settings, registry_setup.policies(settings), risk_setup.service(settings)
    )
    return [consumer for consumer in every if consumer.name in CONSUMERS]


# -- what a run leaves behind ------------------------------------------------------------------


@dataclass(frozen=True)
class Effects:
    """What a run left in its database, as multisets two runs (and the workload) can be
    compared by: a duplicate shows as a count of 2, a loss as a missing element."""

    stored: Counter[uuid.UUID]  # input events in the store
    ledgers: dict[str, Counter[tuple[uuid.UUID, bool]]]  # per consumer: (event, refused)
    history: Counter[tuple[str, uuid.UUID, dt.date, float, str]]  # vendor, event, as of, score
    announcements: Counter[tuple[str, str, str]]  # vendor, event type, payload
    registry: Counter[tuple[str, str]]  # (table, what) per row kind
    dead_letters: list[str]


async def effects(pool: asyncpg.Pool) -> Effects:
    emitted = sorted(EMITTED_TYPES)
    stored = await pool.fetch(
        "SELECT event_id FROM event_store WHERE event_type <> ALL($1::text[])", emitted
    )
    ledgers: dict[str, Counter[tuple[uuid.UUID, bool]]] = {name: Counter() for name in CONSUMERS}
    for row in await pool.fetch(
        "SELECT consumer, event_id, refused FROM processed_events WHERE consumer = ANY($1)",
        list(CONSUMERS),
    ):
        ledgers[row["consumer"]][(row["event_id"], row["refused"])] += 1
    history = await pool.fetch(
        """SELECT h.vendor_id, e.event_id, h.as_of, h.score, h.band
           FROM risk_history h JOIN risk_events e USING (seq)"""
    )
    announced = await pool.fetch(
        "SELECT vendor_id, event_type, (envelope -> 'payload')::text AS payload FROM event_store"
        " WHERE event_type = ANY($1::text[])",
        emitted,
    )
    registry = await pool.fetch(
        """SELECT 'vendors' AS kind, '' AS what FROM registry_vendors
           UNION ALL SELECT 'contracts', agency FROM registry_contracts
           UNION ALL SELECT 'incidents', status FROM registry_incidents
           UNION ALL SELECT 'sanctions', kind FROM registry_sanctions
           UNION ALL SELECT 'eligibility', vendor_id || ' ' || eligible || ' '
                                           || coalesce(eligible_again_on::text, '')
                     FROM registry_eligibility_state"""
    )
    letters = await pool.fetch("SELECT stage, reason FROM dead_letters ORDER BY id LIMIT 5")
    return Effects(
        stored=Counter(row["event_id"] for row in stored),
        ledgers=ledgers,
        history=Counter(tuple(row) for row in history),
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


# -- the uninterrupted reference ---------------------------------------------------------------


async def reference_effects(
    test_databases: postgres.TestDatabases, workload: Workload, settings: Settings
) -> Effects:
    """The effects of the workload applied without interruption in embedded mode, on a
    database of its own: ingested a producer's batch at a time, each consumer drained in
    the order embedded mode starts them, the outboxes relayed into the log."""
    url = await test_databases.create()
    try:
        pool = await open_pool(url, migrate=False)
        try:
            log = EmbeddedEventLog(pool, ingest_batch)
            for batch in batches(workload.raws):
                await log.submit(batch)
            for consumer in _consumers(settings):
                await drain(pool, consumer)
            for outbox in OUTBOXES:
                await outbox.relay_all(pool, log)
            return await effects(pool)
        finally:
            await pool.close()
    finally:
        await test_databases.drop(url)


# -- the distributed run -----------------------------------------------------------------------


class Fleet:
    """The worker processes: REPLICAS of each stage, and a replacement for each one killed."""

    def __init__(self, args: Sequence[str], log_dir: Path) -> None:
        self._args = list(args)
        self._log_dir = log_dir
        self.running: dict[str, list[Service]] = {stage: [] for stage in STAGES}
        self.every: list[Service] = []

    def start(self, stage: str) -> None:
        started = sum(service.name.startswith(f"{stage}-") for service in self.every)
        service = Service(f"{stage}-{started + 1}", ["worker", stage, *self._args], self._log_dir)
        self.running[stage].append(service)
        self.every.append(service)

    def kill(self, stage: str) -> str:
        """SIGKILLs the stage's oldest replica (so kills alternate between its replicas) and
        starts a replacement; returns the name of the one killed."""
        victim = self.running[stage].pop(0)
        victim.kill()
        self.start(stage)
        return victim.name

    def alive(self) -> None:
        """Raises when a worker not killed by the test has exited."""
        for services in self.running.values():
            for service in services:
                if service.process.poll() is not None:
                    raise AssertionError(
                        f"{service.name} exited ({service.process.returncode}):\n"
                        f"{service.log_tail()}"
                    )

    def tails(self) -> str:
        return "\n".join(f"--- {service.name}\n{service.log_tail()}" for service in self.every)

    async def stop(self) -> None:
        running = [service for services in self.running.values() for service in services]
        await asyncio.gather(*(asyncio.to_thread(service.stop) for service in running))


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


@dataclass(frozen=True)
class Kill:
    stage: str
    worker: str
    done: int  # the stage's applied (ingest: stored) events of the workload then
    of: int
    seconds: float


async def progress(watch: LedgerWatch) -> dict[str, int]:
    """Per stage, how many of the workload's events it has applied (ingest: stored)."""
    applied = await watch.applied()  # no row yet for a consumer that has applied nothing
    return {**{c: applied.get(c, 0) for c in CONSUMERS}, "ingest": await watch.stored()}


async def publish_and_kill(
    workload: Workload,
    bootstrap: str,
    fleet: Fleet,
    watch: LedgerWatch,
    expected: dict[str, int],
    started: float,
    deadline: float,
) -> list[Kill]:
    """Publishes the workload chunk by chunk, keeping ingest at most AHEAD events ahead of
    the registry, and kills each stage's replicas as its work reaches the stage's next
    share (1/(n+1), 2/(n+1), … of it for n kills), at a poll that finds its ledger grown
    since the previous one and more work waiting for it: a batch was just committed and the
    next one is being applied. Waiting work is what the stage before it has done (ingest's:
    what was published); risk's is taken to be whatever it has not yet done, since it trails
    the registry throughout."""
    raw_topic = load_topics()["raw"].name  # under this test's namespace
    thresholds = {
        stage: [expected[stage] * k // (kills + 1) for k in range(1, kills + 1)]
        for stage, kills in KILLS.items()
    }
    kills: list[Kill] = []
    published = 0
    before = dict.fromkeys(STAGES, 0)
    while published < len(workload.events) or any(thresholds.values()):
        fleet.alive()
        done = await progress(watch)
        if published < len(workload.events) and published - done["registry"] <= AHEAD:
            chunk = workload.events[published : published + CHUNK]
            await produce(bootstrap, raw_topic, Workload(chunk, barring=()))
            published += len(chunk)
        waiting = {"ingest": published, "registry": done["ingest"], "risk": expected["risk"]}
        for stage, due in thresholds.items():
            working = before[stage] < done[stage] < waiting[stage]
            if due and done[stage] >= due[0] and working:
                due.pop(0)
                worker = fleet.kill(stage)
                kills.append(
                    Kill(stage, worker, done[stage], expected[stage], time.perf_counter() - started)
                )
        before = done
        assert time.monotonic() < deadline, (
            f"timed out publishing and killing: published {published}, done {done},"
            f" kills to come {thresholds}"
        )
        await asyncio.sleep(POLL_SECONDS)
    return kills


async def announcements_stored(pool: asyncpg.Pool, probe: KafkaProbe) -> bool:
    """Every announcement decided so far is in the store: the outboxes are empty (relayed
    into the emitted topic) and ingest's group has read that topic to its end."""
    pending = sum([await pool.fetchval(f"SELECT count(*) FROM {o.table}") for o in OUTBOXES])
    return pending == 0 and await probe.unread("ingest", "emitted") == 0


async def test_killed_workers_lose_nothing_and_apply_nothing_twice(
    pool: asyncpg.Pool,
    database_url: str,
    test_databases: postgres.TestDatabases,
    kafka_bootstrap: str,
    namespace: str,
    tmp_path: Path,
) -> None:
    settings = Settings(database_url=database_url)
    today = settings.clock.today()
    workload = spread_workload.build(crash_events(), today)
    consumers = _consumers(settings)
    applied = expected_per_consumer(consumers, workload)
    expected = {**applied, "ingest": len(workload.events)}

    clock = time.perf_counter()
    reference = await reference_effects(test_databases, workload, settings)
    reference_seconds = time.perf_counter() - clock

    fleet = Fleet(["--kafka", kafka_bootstrap, "--database-url", database_url], tmp_path)
    probe = KafkaProbe(kafka_bootstrap)
    watch = await LedgerWatch.open(database_url, workload.event_ids)
    try:
        await probe.start()
        for stage in STAGES:
            for _ in range(REPLICAS):
                fleet.start(stage)
        # The workers create the topics; the broker creates none itself.
        await eventually(probe.topics_created, "the workers to create the topics", START_SECONDS)
        started, deadline = time.perf_counter(), time.monotonic() + _timeout(len(workload.events))
        kills = await publish_and_kill(
            workload, kafka_bootstrap, fleet, watch, expected, started, deadline
        )
        finished = await watch.wait(
            applied,
            started,
            within=deadline - time.monotonic(),
            alive=fleet.alive,
            ingest=len(workload.events),
        )
        await eventually(
            lambda: announcements_stored(pool, probe),
            "the announcements to be relayed and stored",
            START_SECONDS,
        )
        distributed_seconds = time.perf_counter() - started
        distributed = await effects(pool)
        chains = await verification.verify(pool)
        # Messages beyond one per event: the redeliveries the kills caused (a batch applied,
        # its offsets not yet committed), which the ledgers had to absorb.
        announced = distributed.announcements.total()
        redelivered = {
            "events": await probe.messages("events") - len(workload.events),
            "facts": await probe.messages("facts") - len(workload.events) - announced,
            "emitted": await probe.messages("emitted") - announced,
        }
    except BaseException:
        print(fleet.tails())
        raise
    finally:
        await watch.close()
        await probe.close()
        await fleet.stop()

    print(
        f"\n{len(workload.events):,} events, {len(kills)} kills;"
        f" reference (embedded, uninterrupted) {reference_seconds:.0f} s;"
        f" distributed {distributed_seconds:.0f} s, done after "
        + ", ".join(f"{stage} {seconds:.0f} s" for stage, seconds in finished.items())
    )
    for kill in kills:
        print(f"  {kill.seconds:6.1f} s  killed {kill.worker} at {kill.done:,}/{kill.of:,}")
    print(
        f"{distributed.announcements.total():,} announcements; messages sent again after kills: "
        + ", ".join(f"{topic} {count:,}" for topic, count in redelivered.items())
    )

    # Both runs dated their decisions with the same day, or they cannot agree.
    assert settings.clock.today() == today, "the registry's date changed during the run: rerun"
    assert len(kills) == sum(KILLS.values())
    assert Counter(kill.stage for kill in kills) == Counter(KILLS)
    taken = {
        consumer.name: [e for e in workload.events if e.event_type in consumer.handlers]
        for consumer in consumers
    }
    for run, name in ((distributed, "distributed"), (reference, "reference")):
        assert not run.dead_letters, f"{name}: dead letters {run.dead_letters}"
        assert_same(run.stored, Counter(workload.event_ids), f"{name}: input events stored")
        for consumer, events in taken.items():
            assert_same(
                run.ledgers[consumer],
                Counter((e.event_id, False) for e in events),
                f"{name}: the {consumer} ledger",
            )
        # Every incident in the workload is its vendor's own: an event bears on one vendor.
        assert_same(
            Counter((vendor_id, event_id) for vendor_id, event_id, *_ in run.history.elements()),
            Counter((e.vendor_id, e.event_id) for e in taken["risk"]),
            f"{name}: risk history entries (one per event and vendor)",
        )
    assert_same(distributed.history, reference.history, "risk history (scores)")
    assert_same(distributed.announcements, reference.announcements, "announcements")
    assert_same(distributed.registry, reference.registry, "registry records")
    assert reference.announcements, "the workload made no announcement: nothing was compared"
    assert chains.intact, [str(problem) for problem in chains.problems[:5]]
