"""Throughput of the event core end to end, each next to a plain baseline measured in the same
run on the same machine: embedded mode, distributed mode over a real Kafka, and the rebuild.

The full size, 20,000 events (three rounds of each measure):

    VENDORWATCH_BENCH_EVENTS=20000 ./scripts/test tests/benchmarks/test_core_throughput.py

The CI run (`./scripts/test`) uses 3,000 events, three rounds, one of the distributed measure;
VENDORWATCH_BENCH_ROUNDS sets the rounds of every measure. The table ("event core
throughput") is printed in pytest's terminal summary at the end of the run.
No time is asserted (the machine is shared and noisy); what each run must have done is.

Only the narrowest interfaces of the core are used, since it is being reworked: raw bytes in
(the embedded log's `submit`, the raw Kafka topic), the processed-event ledger out.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from services.cli.workers import WORKERS
from services.events.catalog import parse_event
from services.platform.eventlog.topics import load_topics
from services.platform.postgres.database import open_pool
from services.platform.settings import Settings
from services.risk import setup as risk_setup
from services.risk.jobs import rescore_moved
from tests.support import postgres
from tests.support.processes import Service, run_cli
from tests.support.throughput import (
    BATCH,
    Comparison,
    LedgerWatch,
    check_outcome,
    consumers_of,
    copy_baseline,
    copy_events,
    create_copy_table,
    expected_per_consumer,
    produce,
    rounds,
    run_embedded,
    timeout,
)
from tests.support.workload import Workload, warm_up

pytestmark = pytest.mark.postgres

# Generous: a stalled consumer fails the run, a slow machine should not.
START_TIMEOUT = 120.0


# -- embedded ----------------------------------------------------------------------------------


async def _check(database_url: str, workload: Workload) -> None:
    pool = await open_pool(database_url, migrate=False)
    try:
        await check_outcome(pool, workload)
    finally:
        await pool.close()


async def test_embedded_end_to_end(
    test_databases: postgres.TestDatabases,
    workload: Workload,
    throughput_report: Callable[[Comparison], None],
) -> None:
    comparison = Comparison(
        "embedded end to end", len(workload.events), "COPY, logged table, same PostgreSQL"
    )
    for _ in range(rounds()):
        async with test_databases.fresh() as url:
            finished = await run_embedded(url, workload)
            await _check(url, workload)
            baseline = await copy_baseline(url, workload.raws)
        comparison.add_round(max(finished.values()), baseline, finished)
    comparison.notes.append(
        f"submitted {BATCH} events per call while the consumers ran, in one process;"
        " baseline: json.loads + COPY of the same events, 500 per transaction"
    )
    throughput_report(comparison)


# -- distributed -------------------------------------------------------------------------------


def _workers_alive(workers: list[Service]) -> Callable[[], None]:
    def alive() -> None:
        for worker in workers:
            if worker.process.poll() is not None:
                raise AssertionError(f"worker {worker.name} exited:\n{worker.log_tail()}")

    return alive


async def run_distributed(
    database_url: str, bootstrap: str, workload: Workload, log_dir: Path
) -> dict[str, float]:
    """Starts every worker as a real process, waits until they consume (a warm-up vendor),
    then produces the workload to the raw topic; returns when each worker had done all its
    work, in seconds from the first send. The namespace comes from the environment."""
    consumers = consumers_of(database_url)
    raw_topic = load_topics()["raw"].name  # under this run's namespace
    common = ["--kafka", bootstrap, "--database-url", database_url]
    await asyncio.to_thread(log_dir.mkdir)
    workers = [Service(name, ["worker", name, *common], log_dir) for name in sorted(WORKERS)]
    alive = _workers_alive(workers)
    try:
        warm = warm_up()
        watch = await LedgerWatch.open(database_url, warm.event_ids)
        try:
            await produce(bootstrap, raw_topic, warm)
            expected = expected_per_consumer(consumers, warm)
            await watch.wait(expected, time.perf_counter(), within=START_TIMEOUT, alive=alive)
        finally:
            await watch.close()
        watch = await LedgerWatch.open(database_url, workload.event_ids)
        try:
            started = time.perf_counter()
            await produce(bootstrap, raw_topic, workload)
            return await watch.wait(
                expected_per_consumer(consumers, workload),
                started,
                within=timeout(workload),
                alive=alive,
                ingest=len(workload.events),
            )
        finally:
            await watch.close()
    except BaseException:
        for worker in workers:
            print(f"--- {worker.name}\n{worker.log_tail()}")
        raise
    finally:
        await asyncio.gather(*(asyncio.to_thread(worker.stop) for worker in workers))


async def kafka_baseline(
    database_url: str, bootstrap: str, namespace: str, workload: Workload
) -> float:
    """Seconds to produce the workload to a fresh topic (as many partitions as the raw one)
    while one AIOKafkaConsumer in a group reads it and COPYs each batch into PostgreSQL,
    committing offsets after each COPY (at least once, as the workers do)."""
    topic = f"{namespace}.baseline"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, load_topics()["raw"].partitions, 1)])
    finally:
        await admin.close()
    conn = await asyncpg.connect(database_url)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=topic,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    try:
        await create_copy_table(conn)
        await consumer.start()
        # Joined and assigned before the clock starts, as the workers are after the warm-up.
        deadline = time.monotonic() + START_TIMEOUT
        while not consumer.assignment():
            assert time.monotonic() < deadline, "the baseline consumer got no partitions"
            await consumer.getmany(timeout_ms=100)
        started = time.perf_counter()
        producing = asyncio.create_task(produce(bootstrap, topic, workload))
        copied = 0
        while copied < len(workload.events):
            fetched = await consumer.getmany(timeout_ms=100, max_records=BATCH)
            raws = [message.value for messages in fetched.values() for message in messages]
            if raws:
                await copy_events(conn, raws)
                await consumer.commit()
                copied += len(raws)
        seconds = time.perf_counter() - started
        await producing
        assert copied == len(workload.events)
        return seconds
    finally:
        await consumer.stop()
        await conn.close()


@pytest.mark.kafka
async def test_distributed_end_to_end(
    test_databases: postgres.TestDatabases,
    kafka_bootstrap: str,
    workload: Workload,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    throughput_report: Callable[[Comparison], None],
) -> None:
    comparison = Comparison(
        "distributed end to end (Kafka)",
        len(workload.events),
        "aiokafka produce → 1 consumer → COPY",
    )
    # The slowest measure: one round in CI.
    for round_number in range(rounds(ci_rounds=1)):
        # Topics and consumer groups of this round only (the workers read the environment).
        namespace = f"bench{uuid.uuid4().hex[:8]}"
        monkeypatch.setenv("VENDORWATCH_KAFKA_NAMESPACE", namespace)
        async with test_databases.fresh() as url:
            log_dir = tmp_path / f"round-{round_number}"
            finished = await run_distributed(url, kafka_bootstrap, workload, log_dir)
            await _check(url, workload)
            baseline = await kafka_baseline(url, kafka_bootstrap, namespace, workload)
        comparison.add_round(max(finished.values()), baseline, finished)
    comparison.notes.append(
        "one process per worker, started and warmed up before the clock; both sides produce"
        " with acks=all and idempotence, keyed by vendor"
    )
    throughput_report(comparison)


# -- rebuild -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rebuild:
    """A rebuild command and the consumers whose ledger rows it writes again."""

    args: tuple[str, ...]
    consumers: tuple[str, ...]


# Every projection, registry first; `Rebuild(("rebuild", "risk"), ("risk",))` measures one.
REBUILD = Rebuild(("rebuild", "all"), ("registry", "risk", "migration"))


async def read_baseline(database_url: str, *, parse: bool) -> float:
    """Seconds to read every stored event in pages of BATCH by position (as a rebuild reads
    the store), and with `parse` to validate each with the catalog too."""
    conn = await asyncpg.connect(database_url)
    try:
        started = time.perf_counter()
        position = 0
        while True:
            rows = await conn.fetch(
                "SELECT position, envelope::text AS envelope FROM event_store"
                " WHERE position > $1 ORDER BY position LIMIT $2",
                position,
                BATCH,
            )
            if not rows:
                return time.perf_counter() - started
            if parse:
                for row in rows:
                    parse_event(row["envelope"])
            position = rows[-1]["position"]
    finally:
        await conn.close()


async def _risk_scores(pool: asyncpg.Pool) -> list[tuple[str, float, str]]:
    rows = await pool.fetch("SELECT vendor_id, score, band FROM risk_current ORDER BY vendor_id")
    return [(row["vendor_id"], row["score"], row["band"]) for row in rows]


async def test_rebuild(
    test_databases: postgres.TestDatabases,
    workload: Workload,
    throughput_report: Callable[[Comparison], None],
) -> None:
    command = " ".join(("vendorwatch", *REBUILD.args))
    events = len(workload.events)
    parsed = Comparison(f"rebuild ({command})", events, "fetch pages + parse_event")
    bare = Comparison("rebuild, against the bare read", events, "fetch pages only")
    url = await test_databases.create()
    try:
        # The live state to rebuild, made by the embedded consumers (not timed).
        await run_embedded(url, workload)
        expected = expected_per_consumer(consumers_of(url), workload)
        pool = await open_pool(url, migrate=False)
        watch = await LedgerWatch.open(url, workload.event_ids)
        try:
            # Live processing's periodic job re-scores the vendors whose concentration later
            # contracts moved (a rebuild does so before it commits): the live state, settled.
            await rescore_moved(pool, risk_setup.service(Settings(database_url=url)))
            live = await _risk_scores(pool)
            started = time.perf_counter()
            await asyncio.to_thread(run_cli, "rebuild", "--help")
            startup = time.perf_counter() - started
            for _ in range(rounds()):
                before = await pool.fetchval("SELECT clock_timestamp()")
                started = time.perf_counter()
                result = await asyncio.to_thread(
                    run_cli, *REBUILD.args, "--database-url", url, timeout=timeout(workload)
                )
                seconds = time.perf_counter() - started
                assert result.returncode == 0, result.stderr
                # Every event applied again by this rebuild, not left from the live run.
                for consumer in REBUILD.consumers:
                    assert await watch.since(consumer, before) == expected[consumer]
                parsed.add_round(seconds, await read_baseline(url, parse=True), {})
                bare.add_round(seconds, await read_baseline(url, parse=False), {})
            # A replay gives exactly the live scores.
            assert await _risk_scores(pool) == live
            await check_outcome(pool, workload)
        finally:
            await watch.close()
            await pool.close()
    finally:
        await test_databases.drop(url)
    parsed.notes.append(
        "the command's wall time, its verification of the chains and its start-up included"
        f" (`vendorwatch rebuild --help`: {startup:.1f} s)"
    )
    throughput_report(parsed)
    throughput_report(bare)
