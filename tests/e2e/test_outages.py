"""Workers and the API ride out a PostgreSQL outage and a Kafka outage while events flow: no
process exits, their /healthz (200 throughout) says what they are waiting for meanwhile, and
once both are back everything is applied exactly once (the same effects as an uninterrupted
embedded run of the same events).

The test has a PostgreSQL and a Kafka broker of its own, since it takes both down: PostgreSQL
stopped with `pg_ctl stop -m immediate` for PG_DOWN_SECONDS while a third of the events is
published, then the broker SIGKILLed for KAFKA_DOWN_SECONDS, then started again on its data and
the last third published. Every worker runs as a real process (`vendorwatch worker NAME`),
its retries capped at RETRY_MAX_SECONDS (VENDORWATCH_RETRY_MAX_SECONDS; production waits up
to 30 s): each outage lasts several capped waits, so every loop goes through its back-off to
the cap and comes back, without the test sitting out production's half-minute waits. About
two minutes on a 2-core machine, most of it the reference run, the outages and starting the
broker twice.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.cli.consumers import service_consumers
from services.cli.workers import WORKERS
from services.platform.eventlog.topics import load_topics
from services.platform.eventstore import verification
from services.platform.postgres.database import open_pool
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from services.risk import setup as risk_setup
from tests.support import postgres, spread_workload
from tests.support.effects import (
    KafkaProbe,
    announcements_applied,
    assert_same,
    clear_of_midnight,
    effects,
    reference_effects,
)
from tests.support.kafka_broker import KafkaBroker, start_kafka_broker
from tests.support.kafka_classpath import DEFAULT_CACHE_DIR
from tests.support.postgres_outage import StoppablePostgres
from tests.support.processes import Service, eventually, free_port
from tests.support.throughput import LedgerWatch, expected_per_consumer, produce
from tests.support.workload import Workload

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.long]

EVENTS = 5_000
RETRY_MAX_SECONDS = 2.0
PG_DOWN_SECONDS = 3 * RETRY_MAX_SECONDS
KAFKA_DOWN_SECONDS = 5 * RETRY_MAX_SECONDS
START_SECONDS = 120.0
APPLY_SECONDS = 300.0
POLL_SECONDS = 0.5
RUN_SECONDS = 600.0  # a generous bound on the whole test (about 2 minutes)


@pytest.fixture
def broker() -> Iterator[KafkaBroker]:
    with start_kafka_broker(DEFAULT_CACHE_DIR) as started:
        yield started


class Workers:
    """One process per worker, each serving /healthz on a port of its own, and the API (whose
    liveness probe must not restart it for an outage either)."""

    def __init__(self, bootstrap: str, database_url: str, log_dir: Path) -> None:
        self.ports = {name: free_port() for name in (*sorted(WORKERS), "api")}
        self.every = [
            Service(
                name,
                [
                    *(("api",) if name == "api" else ("worker", name)),
                    *("--kafka", bootstrap, "--database-url", database_url),
                    *("--port" if name == "api" else "--health-port", str(port)),
                ],
                log_dir,
                {"VENDORWATCH_RETRY_MAX_SECONDS": str(RETRY_MAX_SECONDS)},
            )
            for name, port in self.ports.items()
        ]

    def alive(self) -> None:
        for service in self.every:
            if service.process.poll() is not None:
                raise AssertionError(
                    f"{service.name} exited ({service.process.returncode}):\n{service.log_tail()}"
                )

    async def health(self, path: str = "/healthz") -> dict[str, tuple[int, dict[str, Any]]]:
        """Every worker's /healthz (or /readyz): status code and body."""
        async with httpx.AsyncClient(timeout=10) as http:
            answers = {}
            for name, port in self.ports.items():
                response = await http.get(f"http://127.0.0.1:{port}{path}")
                answers[name] = (response.status_code, response.json())
            return answers

    def tails(self) -> str:
        return "\n".join(f"--- {service.name}\n{service.log_tail()}" for service in self.every)

    async def stop(self) -> list[int]:
        return await asyncio.gather(*(asyncio.to_thread(s.stop) for s in self.every))


def _waiting(report: dict[str, Any]) -> list[str]:
    """The loops a /healthz body says are waiting for a dependency (and not stalled), and
    "database" when the process could not reach PostgreSQL itself."""
    loops = [*report.get("consumers", []), *report.get("jobs", [])]
    waiting = [
        loop.get("consumer") or loop["job"]
        for loop in loops
        if loop.get("waiting_for") and not loop["stalled"]
    ]
    return [*waiting, "database"] if "database" in report else waiting


async def ride_out(
    workers: Workers, seconds: float, outage: str
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Watches the workers for `seconds` of an outage: every one alive and answering /healthz
    with 200 throughout (a restart would not help); returns, per worker, the loops /healthz
    said were waiting meanwhile and the checks /readyz said were not ready."""
    waiting: dict[str, set[str]] = {name: set() for name in workers.ports}
    unready: dict[str, set[str]] = {name: set() for name in workers.ports}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        workers.alive()
        for name, (status, body) in (await workers.health()).items():
            assert status == 200, f"{name} /healthz during the {outage} outage: {body}"
            waiting[name].update(_waiting(body))
        for name, (status, body) in (await workers.health("/readyz")).items():
            if status == 503:
                unready[name].update(body["not_ready"])
        await asyncio.sleep(POLL_SECONDS)
    return waiting, unready


async def test_workers_ride_out_postgres_and_kafka_outages(
    test_databases: postgres.TestDatabases,
    broker: KafkaBroker,
    server: StoppablePostgres,
    namespace: str,
    tmp_path: Path,
) -> None:
    database_url = await server.database()
    settings = Settings(database_url=database_url)
    workload = spread_workload.build(EVENTS, await clear_of_midnight(settings.clock, RUN_SECONDS))
    consumers = service_consumers(
        settings, registry_setup.policies(settings), risk_setup.service(settings)
    )
    applied = expected_per_consumer(consumers, workload)
    reference = await reference_effects(test_databases, workload, consumers, settings.clock)

    bootstrap = broker.bootstrap_servers
    raw_topic = load_topics()["raw"].name
    third = len(workload.events) // 3
    parts = [workload.events[:third], workload.events[third : 2 * third]]
    parts.append(workload.events[2 * third :])
    workers = Workers(bootstrap, database_url, tmp_path)
    try:
        probe = KafkaProbe(bootstrap)
        await probe.start()
        try:
            await eventually(probe.topics_created, "the workers to create the topics", 60)
        finally:
            await probe.close()
        await eventually(_answering(workers), "every worker's /healthz", START_SECONDS)

        await produce(bootstrap, raw_topic, Workload(parts[0], barring=()))
        await asyncio.to_thread(server.stop_immediately)
        await produce(bootstrap, raw_topic, Workload(parts[1], barring=()))
        during_postgres, unready_postgres = await ride_out(workers, PG_DOWN_SECONDS, "PostgreSQL")
        await asyncio.to_thread(server.start)

        await asyncio.to_thread(broker.kill)
        during_kafka, unready_kafka = await ride_out(workers, KAFKA_DOWN_SECONDS, "Kafka")
        await asyncio.to_thread(broker.restart)
        await produce(bootstrap, raw_topic, Workload(parts[2], barring=()))

        watch = await LedgerWatch.open(database_url, workload.event_ids)
        try:
            await watch.wait(
                applied,
                time.perf_counter(),
                within=APPLY_SECONDS,
                alive=workers.alive,
                ingest=len(workload.events),
            )
        finally:
            await watch.close()
        pool = await open_pool(database_url, migrate=False)
        probe = KafkaProbe(bootstrap)
        await probe.start()
        try:
            await eventually(
                lambda: announcements_applied(pool, probe, WORKERS),
                "the announcements to be relayed, stored and taken",
                START_SECONDS,
            )
            outcome = await effects(pool, [c.name for c in consumers])
            chains = await verification.verify(pool)
        finally:
            await probe.close()
            await pool.close()
        workers.alive()
    except BaseException:
        print(workers.tails())
        raise
    finally:
        codes = await workers.stop()

    print(f"\nPostgreSQL outage: waiting {during_postgres}, not ready {unready_postgres}")
    print(f"Kafka outage: waiting {during_kafka}, not ready {unready_kafka}")
    # Every worker (each has a timer reading PostgreSQL or work in flight) said it waited,
    # and every /readyz named what it lacked.
    assert all(during_postgres.values()), during_postgres
    assert all("database" in checks for checks in unready_postgres.values()), unready_postgres
    assert all("kafka" in checks for checks in unready_kafka.values()), unready_kafka
    assert codes == [0] * len(codes), f"exit codes on SIGTERM: {codes}"
    assert not outcome.dead_letters, outcome.dead_letters
    assert_same(outcome.stored, reference.stored, "input events stored")
    inputs = set(workload.event_ids)
    for consumer in consumers:
        ledger, expected = outcome.ledgers[consumer.name], reference.ledgers[consumer.name]
        assert_same(_of(ledger, inputs), _of(expected, inputs), f"the {consumer.name} ledger")
        # The services' announcements it took (their ids are fresh in each run): as many.
        assert ledger.total() == expected.total(), f"the {consumer.name} ledger's size"
    assert_same(outcome.history, reference.history, "risk history (scores)")
    assert_same(outcome.announcements, reference.announcements, "announcements")
    assert_same(outcome.registry, reference.registry, "registry records")
    assert chains.intact, [str(problem) for problem in chains.problems[:5]]


def _of(ledger: Counter[tuple[uuid.UUID, bool]], events: set[uuid.UUID]) -> Counter[Any]:
    """The entries of a ledger about these events."""
    return Counter({entry: n for entry, n in ledger.items() if entry[0] in events})


def _answering(workers: Workers) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        workers.alive()
        try:
            await workers.health()
        except httpx.HTTPError:
            return False
        return True

    return check
