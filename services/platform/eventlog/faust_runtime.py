"""Kafka adapter, consuming side: the faust-streaming app that hosts a worker (lifecycle,
signals, timers, tasks, its web server) and the batches of its topics, handed to the
services' handlers (`topic_batches.py`: one aiokafka group member per worker, since faust's
streams cost a worker more CPU per message than the services' handlers did).

Values arrive as raw bytes and are validated inside the handlers; a partition's records are
applied in order, one batch at a time, and its offsets committed only after the batch's
database transaction committed.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import faust
from faust.app import BootStrategy

from services.platform.consuming import stored_only
from services.platform.consuming.consumer import Consumer, apply_serialized_batch
from services.platform.consuming.outbox import RELAY_SECONDS, Outbox, relay_when_put
from services.platform.consuming.rebuilt_notices import forget_when_rebuilt
from services.platform.consuming.running_settings import same_zone, this_process
from services.platform.errors import StartupError
from services.platform.eventlog.faust_observability import add_observability
from services.platform.eventlog.kafka import KafkaEventLog, reach
from services.platform.eventlog.topic_batches import Record, TopicBatches
from services.platform.eventlog.topics import TOPICS, consumer_group, ensure_topics
from services.platform.eventstore import chain_checks
from services.platform.eventstore.chain_watch import LOOK_SECONDS, ChainWatch
from services.platform.operations.database_probe import DatabaseProbe
from services.platform.operations.liveness import (
    LIVENESS_DATABASE_SECONDS,
    Liveness,
    health_report,
    now_doing,
    unreachable,
)
from services.platform.operations.retry import note_failure, note_success, until_done
from services.platform.operations.start_up import StartUp
from services.platform.postgres.database import close_pool, open_pool, redacted
from services.platform.settings import Settings

log = logging.getLogger(__name__)

BatchHandler = Callable[["WorkerResources", list[Record]], Awaitable[None]]


class WorkerResources:
    """The pool and producer of a worker, opened inside faust's event loop: the pool at
    start-up (`start`), the producer when first used."""

    def __init__(self, settings: Settings, service: str) -> None:
        assert settings.kafka_bootstrap is not None
        self.settings = settings
        self.service = service
        # What its services judge and score with, each service's wiring adding its own
        # (running_settings.py): said to the rebuilds, which compare theirs.
        self.used: dict[str, str] = {}
        self.batches = TopicBatches(consumer_group(service))
        self._pool: asyncpg.Pool | None = None
        self._log: KafkaEventLog | None = None
        self._lock = asyncio.Lock()
        self.livenesses: list[Liveness] = []
        self.chain = ChainWatch(settings.database_url)
        # What /healthz and /readyz ask PostgreSQL on: a connection of its own, as the API's
        # (a pool busy to its last connection read as the database unreachable, the worker
        # not ready, and its chain report as none).
        self.probe = DatabaseProbe(settings.database_url)
        # Tasks holding one of the pool's connections for good (LISTEN): stopped before the
        # pool is closed, which waits for every connection to come back.
        # Cancelled when the worker stops, before its pool closes (each may hold a connection).
        self.listeners: set[asyncio.Task[Any]] = set()
        self.start_up = StartUp()
        self.started = asyncio.Event()  # PostgreSQL reached and migrated, the topics there
        # Why the start failed (a dependency refused the configuration), for the command to
        # say once the worker has stopped.
        self.refused: StartupError | None = None
        self.reach_kafka = partial(reach, settings.kafka_bootstrap, settings.kafka_credentials)

    async def start(self) -> None:
        """Waits for PostgreSQL (then migrates it) and Kafka (then creates the topics), so
        that the processes may start in any order, before their dependencies too; the
        worker's loops wait for it (`pool`, `started`)."""
        settings = self.settings
        url, bootstrap = settings.database_url, settings.kafka_bootstrap
        assert bootstrap is not None
        self._pool = await self.start_up.wait_for(
            "database", redacted(url), partial(open_pool, url)
        )
        # Its services' wiring has said what they date by (`used`) by now.
        await self.start_up.wait_for(
            "database", redacted(url), partial(same_zone, self._pool, self.used)
        )
        await self.start_up.wait_for(
            "kafka",
            bootstrap,
            partial(
                ensure_topics,
                bootstrap,
                settings.kafka_replication_factor,
                settings.kafka_credentials,
            ),
        )
        self.started.set()

    async def pool(self) -> asyncpg.Pool:
        """The pool, once the worker has started (`start`)."""
        await self.started.wait()
        assert self._pool is not None
        return self._pool

    async def health(self) -> tuple[int, dict[str, Any]]:
        """/healthz's status and body: the loops', with the chain's latest verification
        (read within LIVENESS_DATABASE_SECONDS on the probe's connection, not through the
        pool, which a busy worker may hold to its last connection, nor waiting for the
        start; else the latest this worker read), and what the worker waits for: at
        start-up, or PostgreSQL or Kafka not reached now, as the API's /healthz asks them.
        Neither outage shows on a loop of an idle worker: aiokafka rides Kafka's out inside
        its fetches, and a loop fails on PostgreSQL only once it has work, so an idle worker
        said "ok", the chain's last result beside it, while PostgreSQL was down."""
        waiting = self.start_up.waiting()
        reached: dict[str, Callable[[], Awaitable[object]]] = {
            "database": self.probe.select_one,
            "kafka": self.reach_kafka,
        }
        probes = {name: probe for name, probe in reached.items() if name not in waiting}
        read = partial(self.probe.ask, chain_checks.latest)
        chain, lost = await asyncio.gather(
            self.chain.report(read, LIVENESS_DATABASE_SECONDS), unreachable(probes)
        )
        return health_report(self.livenesses, chain, {**waiting, **lost})

    async def event_log(self) -> KafkaEventLog:
        async with self._lock:
            if self._log is None:
                assert self.settings.kafka_bootstrap is not None
                started = KafkaEventLog(
                    self.settings.kafka_bootstrap, self.settings.kafka_credentials
                )
                await started.start()  # Kafka away: raises, and the next call tries again
                self._log = started
            return self._log

    async def close(self) -> None:
        for task in self.listeners:
            task.cancel()
        await asyncio.gather(*self.listeners, return_exceptions=True)
        if self._log is not None:
            await self._log.stop()
        self.probe.close()
        if self._pool is not None:
            await close_pool(self._pool)


@dataclass(frozen=True)
class HealthEndpoint:
    """Where a worker serves GET /healthz (200, or 503 once a consumer has stalled)."""

    host: str
    port: int


class _HostOnly(BootStrategy):
    """faust's own Kafka consumer and producer stay off: the worker reads its topics with
    `TopicBatches` and writes with `KafkaEventLog` (both aiokafka)."""

    enable_kafka = False


class _WorkerApp(faust.App):
    BootStrategy = _HostOnly


def build_app(
    service: str, resources: WorkerResources, health: HealthEndpoint | None = None
) -> faust.App:
    settings = resources.settings
    assert settings.kafka_bootstrap is not None
    app = _WorkerApp(
        consumer_group(service),
        broker=f"kafka://{settings.kafka_bootstrap}",
        value_serializer="raw",
        key_serializer="raw",
        store="memory://",
        # faust creates a data folder per app even with no local tables; keep it out of the
        # working directory.
        datadir=str(Path(tempfile.gettempdir()) / "vendorwatch-faust"),
        web_enabled=health is not None,
        web_bind=health.host if health else "127.0.0.1",
        web_port=health.port if health else 6066,
        # Topics come from deploy/kafka/topics.toml (created by ensure_topics), not from faust.
        topic_allow_declare=False,
        topic_disable_leader=True,
        producer_acks=-1,
        consumer_auto_offset_reset="earliest",
    )

    async def close_resources(_sender: Any, *_args: Any, **_kwargs: Any) -> None:
        await resources.close()

    # mode types receivers as taking a `signal` keyword; faust passes it inside **kwargs.
    app.on_before_shutdown.connect(close_resources)  # type: ignore[arg-type]

    async def start() -> None:
        try:
            await resources.start()
        except StartupError as refused:
            # Said by the command once the worker has stopped, as an operator's SIGTERM
            # stops it (raised here, faust would log a crash with its traceback instead).
            resources.refused = refused
            signal.raise_signal(signal.SIGTERM)

    app.task(start)

    @app.page("/healthz")
    async def healthz(web: Any, _request: Any) -> Any:
        status, body = await resources.health()
        return web.json(body, status=status)

    add_observability(app, service, resources)  # /readyz, /metrics

    async def look_at_the_chain(resources: WorkerResources) -> None:
        await resources.chain.look(await resources.pool())

    add_periodic(app, "chain-check", LOOK_SECONDS, resources, look_at_the_chain)

    async def consume() -> None:
        await resources.started.wait()
        if resources.batches.handlers:
            credentials = settings.kafka_credentials
            assert settings.kafka_bootstrap is not None
            await resources.batches.run(settings.kafka_bootstrap, credentials)

    app.task(consume)
    add_rebuilt_listener(app, resources)
    return app


def add_rebuilt_listener(app: faust.App, resources: WorkerResources) -> None:
    """Forgets the worker's rebuilt caches whenever a rebuild commits (rebuilt_notices.py):
    its consumers would otherwise go on from what the rebuild replaced. Says meanwhile what
    its services judge with (`resources.used`, complete once the app runs)."""
    liveness = Liveness("rebuilds", "job")
    resources.livenesses.append(liveness)

    async def listen(pool: asyncpg.Pool) -> None:
        process = this_process(f"the {resources.service} worker")
        await forget_when_rebuilt(pool, process, resources.used)

    add_listening(app, resources, liveness, listen)


def add_listening(
    app: faust.App,
    resources: WorkerResources,
    liveness: Liveness,
    listen: Callable[[asyncpg.Pool], Awaitable[None]],
) -> None:
    """Runs `listen` (a LISTEN held until cancelled) on the worker's pool, stopped before the
    pool closes. PostgreSQL away (no pool, nothing to listen on): reported on the liveness,
    and tried again after RELAY_SECONDS."""

    async def run() -> None:
        task = asyncio.current_task()
        assert task is not None
        resources.listeners.add(task)
        while True:
            try:
                await listen(await resources.pool())
            except Exception as error:
                note_failure(liveness, liveness.name, error)
                await asyncio.sleep(RELAY_SECONDS)

    app.task(run)


def add_batch_agent(
    app: faust.App, topic_role: str, resources: WorkerResources, handle: BatchHandler
) -> None:
    """Consumes `topic_role` in batches with `handle`, committing only applied batches."""
    liveness = Liveness(f"{app.conf.id}.{topic_role}")
    resources.livenesses.append(liveness)
    resources.batches.add(TOPICS[topic_role].name, partial(handle, resources), liveness)


def add_consumer(app: faust.App, resources: WorkerResources, consumer: Consumer) -> None:
    """Applies a topic to a service's consumer, batch by batch: the one that gives the
    verdict (the registry) reads `events` (`judge`), the others `facts` only (`apply_facts`)."""
    if consumer.verdict_from is None:
        add_batch_agent(app, "events", resources, partial(judge, consumer))
    else:
        add_batch_agent(app, "facts", resources, partial(apply_facts, consumer))


async def apply_facts(
    consumer: Consumer, resources: WorkerResources, records: list[Record]
) -> None:
    """Applies a batch of `facts`, what the registry passed on. What the store does not hold
    as it was read is dead-lettered, not applied (`stored_only`): only the registry writes
    the topic, and only what the log holds."""
    await apply_serialized_batch(
        await resources.pool(),
        consumer,
        [r.value for r in records],
        [r.event_type for r in records],
        admit=stored_only.FACTS,
    )


async def judge(consumer: Consumer, resources: WorkerResources, records: list[Record]) -> None:
    """Judges a batch of every stored event (`events`) and forwards to `facts`, in the order
        read, what `consumer` did not refuse: the inputs it accepted and the services' emitted
        events, which it has no rule for and passes on unjudged. After its commit, and again on
        a redelivery (a crash may have come in between); the next batch only once this one's
        are on `facts`, so a vendor's facts keep the store's order, which a rebuild replays. What
    the store does not hold is dead-lettered, not judged nor passed on (`stored_only`)."""
    raws = [r.value for r in records]
    pool = await resources.pool()
    result = await apply_serialized_batch(pool, consumer, raws, admit=stored_only.EVENTS)
    if result.accepted:
        now_doing(f"forwarding {len(result.accepted)} events to the facts topic")
        await (await resources.event_log()).forward("facts", result.accepted)


def add_periodic(
    app: faust.App,
    name: str,
    seconds: float,
    resources: WorkerResources,
    job: Callable[[WorkerResources], Awaitable[None]],
) -> None:
    """Runs a service's periodic job (announcements, the planner, the chain's look) every
    `seconds`. A failure is reported on the job's liveness (/healthz) and retried on the
    back-off, as embedded mode's jobs are, never further apart than the period, until the
    job succeeds; the timer's next tick waits for that. Retried only at the next tick, a job
    that failed in a PostgreSQL outage kept /healthz `degraded` with its stale `last_error`
    for up to its period (the chain's look: a minute) after PostgreSQL was back. The error is
    cleared by the job succeeding, not by PostgreSQL answering a probe: the job is what was
    failing. `until_done` raises nothing but a cancellation, and an exception escaping a faust
    timer would stop the whole worker."""
    liveness = Liveness(name, "job")
    resources.livenesses.append(liveness)

    async def run() -> None:
        await until_done(partial(job, resources), name, liveness, max_seconds=seconds)

    app.timer(seconds, name=f"{app.conf.id}.{name}")(run)


def add_outbox_relay(app: faust.App, resources: WorkerResources, outbox: Outbox) -> None:
    """Relays a service's emitted events into the log as soon as they commit (the outbox's
    notice), and every RELAY_SECONDS regardless. A failure is reported on the job's liveness
    (/healthz) and retried at the next notice or poll; a lost listening connection, after
    RELAY_SECONDS."""
    name = f"relay-{outbox.table}"
    liveness = Liveness(name, "job")
    resources.livenesses.append(liveness)

    async def relay(box: Outbox) -> None:
        try:
            await box.relay_all(await resources.pool(), await resources.event_log())
        except Exception as error:
            note_failure(liveness, name, error)
        else:
            note_success(liveness, name)

    add_listening(app, resources, liveness, partial(relay_when_put, outboxes=[outbox], relay=relay))
