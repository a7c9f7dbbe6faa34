"""Measuring the event core's throughput against plain baselines in the same run.

The machine is shared and noisy, so nothing here asserts a time: each measure runs several
rounds and reports medians next to a baseline measured in the same run on the same machine.
What a run must have done is asserted instead (every event applied, nothing refused, the
registry's answers), so a fast but wrong run fails.

Progress is read from the narrowest interface the core offers: the processed-event ledger
(`processed_events(consumer, event_id)`, every row counted, refused events too) and, for
ingest in distributed mode, the event store's event ids.

The embedded run (`run_embedded`) submits a workload into the embedded log while the services'
consumers run in the same process, as `vendorwatch up` runs them: embedded mode's measure, and
the load of the benchmarks that measure something else beside it (the API, the event loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer

from services.cli.consumers import service_consumers
from services.ingest.handlers import ingest_batch
from services.platform.consuming.consumer import Consumer, apply_batch
from services.platform.eventlog.embedded import EmbeddedEventLog, run_consumers
from services.platform.operations.collector import tune_for_long_runs
from services.platform.postgres.database import open_pool
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from services.registry.reads import queries
from services.registry.reads.queries import MAX_BATCH
from services.risk import setup as risk_setup
from tests.support import event_log
from tests.support.workload import CHECK_DAY, Workload

EVENTS_VARIABLE = "VENDORWATCH_BENCH_EVENTS"
ROUNDS_VARIABLE = "VENDORWATCH_BENCH_ROUNDS"
# The CI run: big enough that per-batch costs dominate start-up costs, small enough that the
# three measures take a couple of minutes together.
CI_EVENTS = 3_000
FULL_EVENTS = 20_000
# Events per submit, per COPY and per Kafka send burst: the size of the core's own batches.
BATCH = 500
POLL_SECONDS = 0.1
# A long run is polled less often, so that the harness's counting (a join of the ledger with
# the watched events, 87 ms a poll 100,000 events in: 12 s of PostgreSQL's time over a 50 s
# run) does not take the database from the system it measures: a stage's finish is read late
# by at most a fiftieth of the time run so far.
POLLS_PER_RUN = 50


def bench_events() -> int:
    """The workload size: VENDORWATCH_BENCH_EVENTS, or the CI size."""
    return int(os.environ.get(EVENTS_VARIABLE, CI_EVENTS))


def rounds(ci_rounds: int = 3) -> int:
    """Rounds per measure: VENDORWATCH_BENCH_ROUNDS, else 3 at full size, `ci_rounds` below."""
    configured = os.environ.get(ROUNDS_VARIABLE)
    if configured:
        return int(configured)
    return 3 if bench_events() >= FULL_EVENTS else ci_rounds


def batches(items: Sequence[bytes], size: int = BATCH) -> list[Sequence[bytes]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def expected_per_consumer(consumers: Sequence[Consumer], workload: Workload) -> dict[str, int]:
    """How many of the workload's events each consumer takes (and so claims in the ledger)."""
    return {c.name: workload.taken_by(c.handlers) for c in consumers}


@dataclass
class Comparison:
    """One measure: the seconds VendorWatch and the baseline took in each round."""

    measure: str
    events: int
    baseline: str
    system_seconds: list[float] = field(default_factory=list)
    baseline_seconds: list[float] = field(default_factory=list)
    # Per stage (a consumer, a worker): seconds from the start until it had done everything.
    finished: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add_round(self, system: float, baseline: float, finished: Mapping[str, float]) -> None:
        self.system_seconds.append(system)
        self.baseline_seconds.append(baseline)
        for stage, seconds in finished.items():
            self.finished.setdefault(stage, []).append(seconds)

    def rates(self) -> tuple[float, float]:
        """Events per second of VendorWatch and of the baseline, from the median rounds."""
        return (
            self.events / statistics.median(self.system_seconds),
            self.events / statistics.median(self.baseline_seconds),
        )


def render(comparisons: Sequence[Comparison]) -> list[str]:
    """The table, then per measure when each stage finished and any notes."""
    header = ("measure", "events", "rounds", "VendorWatch", "baseline", "baseline ev/s", "ratio")
    rows = [header]
    for c in comparisons:
        system, baseline = c.rates()
        rows.append(
            (
                c.measure,
                f"{c.events:,}",
                str(len(c.system_seconds)),
                f"{system:,.0f} ev/s",
                c.baseline,
                f"{baseline:,.0f} ev/s",
                f"{system / baseline:.3f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append(
        "ratio = VendorWatch ev/s / baseline ev/s (medians of the rounds; higher is better)"
    )
    for c in comparisons:
        stages = ", ".join(
            f"{stage} {statistics.median(seconds):.1f} s" for stage, seconds in c.finished.items()
        )
        lines.append(
            f"{c.measure}: median {statistics.median(c.system_seconds):.1f} s"
            f" (baseline {statistics.median(c.baseline_seconds):.2f} s)"
            + (f"; done after: {stages}" if stages else "")
        )
        lines += [f"  {note}" for note in c.notes]
    return lines


class LedgerWatch:
    """Counts, on a connection of its own, how much of a set of events each stage has done.

    The event ids are copied once into a temporary table, so a poll is one join however many
    events there are (and costs the process under test next to nothing).
    """

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    @classmethod
    async def open(cls, database_url: str, event_ids: Sequence[uuid.UUID]) -> LedgerWatch:
        conn = await asyncpg.connect(database_url)
        await conn.execute("CREATE TEMPORARY TABLE watched (event_id uuid PRIMARY KEY)")
        await conn.copy_records_to_table("watched", records=[(i,) for i in event_ids])
        await conn.execute("ANALYZE watched")
        return cls(conn)

    async def close(self) -> None:
        await self._conn.close()

    async def applied(self, consumers: Sequence[str] | None = None) -> dict[str, int]:
        """Ledger rows per consumer (refused events count: they were dealt with), of these
        consumers only when given: each poll reads their ledgers (by the key's consumer
        prefix), not those of consumers already done, whose rows only grow."""
        rows = await self._conn.fetch(
            "SELECT consumer, count(*) AS n FROM processed_events JOIN watched USING (event_id)"
            " WHERE $1::text[] IS NULL OR consumer = ANY($1::text[]) GROUP BY consumer",
            None if consumers is None else list(consumers),
        )
        return {row["consumer"]: row["n"] for row in rows}

    async def stored(self) -> int:
        """How many of the events are in the event store (what ingest has accepted)."""
        stored: int = await self._conn.fetchval(
            "SELECT count(*) FROM event_store JOIN watched USING (event_id)"
        )
        return stored

    async def wait(
        self,
        expected: Mapping[str, int],
        started: float,
        *,
        within: float,
        alive: Callable[[], None],
        ingest: int | None = None,
    ) -> dict[str, float]:
        """Polls until each consumer has claimed its expected number of events (and, given
        `ingest`, that many are stored); returns when each got there, in seconds since
        `started` (a `time.perf_counter()`). `alive` raises when the system under test died,
        so a crash fails at once instead of at the time-out."""
        stages = dict(expected) if ingest is None else {"ingest": ingest, **expected}
        finished: dict[str, float] = {}
        deadline = time.monotonic() + within
        while True:
            alive()
            now = time.perf_counter() - started
            # The harness shares the machine and the database with the system it measures:
            # a stage once done is not asked again.
            done = await self.applied([c for c in expected if c not in finished])
            if ingest is not None and "ingest" not in finished:
                done["ingest"] = await self.stored()
            for stage, count in stages.items():
                if stage not in finished and done.get(stage, 0) >= count:
                    finished[stage] = now
            if len(finished) == len(stages):
                return {stage: finished[stage] for stage in stages}
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out after {within:.0f}s: done {done}, expected {stages}"
                )
            await asyncio.sleep(max(POLL_SECONDS, now / POLLS_PER_RUN))

    async def since(self, consumer: str, moment: dt.datetime) -> int:
        """The consumer's ledger rows for these events written at or after `moment` (the
        database's clock): proof that a rebuild applied them again."""
        count: int = await self._conn.fetchval(
            "SELECT count(*) FROM processed_events JOIN watched USING (event_id)"
            " WHERE consumer = $1 AND processed_at >= $2",
            consumer,
            moment,
        )
        return count


# -- the baselines --------------------------------------------------------------------------

# A logged table with the event store's keys and vendor index: what storing the events costs
# PostgreSQL with no processing at all.
COPY_TABLE = "baseline_events"
_COPY_DDL = f"""
CREATE TABLE {COPY_TABLE} (
    position    bigserial PRIMARY KEY,
    event_id    uuid NOT NULL UNIQUE,
    event_type  text NOT NULL,
    vendor_id   text NOT NULL,
    occurred_at timestamptz NOT NULL,
    envelope    jsonb NOT NULL
);
CREATE INDEX ON {COPY_TABLE} (vendor_id, position);
"""
_COPY_COLUMNS = ("event_id", "event_type", "vendor_id", "occurred_at", "envelope")


async def create_copy_table(conn: asyncpg.Connection) -> None:
    await conn.execute(_COPY_DDL)


def _copy_record(raw: bytes) -> tuple[Any, ...]:
    """The columns of one raw event, read as a minimal consumer would: JSON, no validation."""
    document = json.loads(raw)
    return (
        uuid.UUID(document["event_id"]),
        document["event_type"],
        document["vendor_id"],
        dt.datetime.fromisoformat(document["occurred_at"]),
        raw.decode(),
    )


async def copy_events(conn: asyncpg.Connection, raws: Sequence[bytes]) -> None:
    """One COPY (one transaction) of raw events into the baseline table."""
    await conn.copy_records_to_table(
        COPY_TABLE, records=[_copy_record(raw) for raw in raws], columns=_COPY_COLUMNS
    )


async def copy_baseline(database_url: str, raws: Sequence[bytes]) -> float:
    """Seconds to COPY the raw events, a batch per transaction, into a fresh baseline table."""
    conn = await asyncpg.connect(database_url)
    try:
        await create_copy_table(conn)
        started = time.perf_counter()
        for batch in batches(raws):
            await copy_events(conn, batch)
        return time.perf_counter() - started
    finally:
        await conn.close()


def kafka_producer(bootstrap: str) -> AIOKafkaProducer:
    """Configured as VendorWatch's own producer (acks=all, idempotent), so the produce side
    of both distributed runs costs the same."""
    return AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)


async def produce(bootstrap: str, topic: str, workload: Workload) -> None:
    """Sends every event keyed by its vendor (as producers must) and waits for the acks."""
    producer = kafka_producer(bootstrap)
    await producer.start()
    try:
        pending = [
            await producer.send(topic, raw, key=event.vendor_id.encode())
            for event, raw in zip(workload.events, workload.raws, strict=True)
        ]
        for delivery in pending:
            await delivery
    finally:
        await producer.stop()


async def seconds_to_apply(
    test_databases: Any,
    consumer: Consumer,
    workload: Workload,
    check: Callable[[asyncpg.Pool], Awaitable[None]],
) -> float:
    """On a fresh database holding the workload in its log: seconds for `consumer` to apply
    it all, a batch at a time; `check` then asserts what it must have done."""
    url = await test_databases.create()
    pool = await open_pool(url, migrate=False)
    try:
        events = workload.events
        await event_log.append(pool, events)
        started = time.perf_counter()
        for start in range(0, len(events), BATCH):
            await apply_batch(pool, consumer, events[start : start + BATCH])
        seconds = time.perf_counter() - started
        await check(pool)
        return seconds
    finally:
        await pool.close()
        await test_databases.drop(url)


# -- what a run must have done ------------------------------------------------------------------


async def check_outcome(pool: asyncpg.Pool, workload: Workload) -> None:
    """Every event applied without a refusal, and the registry answering as the workload says:
    every vendor registered (an unknown one is refused by the screening), exactly the vendors
    the workload's suspensions bar on CHECK_DAY barred, every contract, incident and sanction
    recorded."""
    refused = await pool.fetch("SELECT stage, reason FROM dead_letters ORDER BY id LIMIT 5")
    assert not refused, [f"{r['stage']}: {r['reason']}" for r in refused]
    vendors = workload.vendor_ids
    barred: set[str] = set()
    async with pool.acquire() as conn:
        for start in range(0, len(vendors), MAX_BATCH):
            answers = await queries.bid_eligibility_many(
                conn, vendors[start : start + MAX_BATCH], CHECK_DAY
            )
            barred |= {a.vendor_id for a in answers if not a.eligible}
    expected_barred = workload.barred_on(CHECK_DAY)
    assert barred == expected_barred, (
        f"{len(barred)} vendors barred on {CHECK_DAY}, expected {len(expected_barred)}"
    )
    recorded = await pool.fetchrow(
        """SELECT (SELECT count(*) FROM registry_contracts WHERE vendor_id = ANY($1)) AS contracts,
                  (SELECT count(*) FROM registry_sanctions WHERE vendor_id = ANY($1)) AS sanctions,
                  (SELECT count(*) FROM registry_incidents WHERE vendor_id = ANY($1)
                     AND status = 'closed') AS closed""",
        vendors,
    )
    assert recorded is not None
    counts = workload.counts
    assert dict(recorded) == {
        "contracts": counts["contract.awarded"],
        "sanctions": counts["sanction.imposed"],
        "closed": counts["incident.closed"],
    }


# -- the embedded run ---------------------------------------------------------------------


def timeout(workload: Workload) -> float:
    return 300.0 + len(workload.events) / 10


def consumers_of(database_url: str) -> list[Consumer]:
    """The services' consumers, as embedded mode runs them and as the workers are built."""
    settings = Settings(database_url=database_url)
    return service_consumers(
        settings, registry_setup.policies(settings), risk_setup.service(settings)
    )


def _running(task: asyncio.Task[None]) -> Callable[[], None]:
    def alive() -> None:
        if task.done():
            raise AssertionError(f"the consumers stopped: {task.exception()!r}")

    return alive


async def run_embedded(
    database_url: str, workload: Workload, clock_started: asyncio.Event | None = None
) -> dict[str, float]:
    """Submits the workload into the embedded log, a producer's batch at a time, while the
    consumers run in the same process (as `vendorwatch up` does); returns when each consumer
    had applied everything it takes, in seconds from the first submit (`clock_started` set
    then: what is measured beside it starts there, after the set-up)."""
    tune_for_long_runs()  # as every vendorwatch process does
    consumers = consumers_of(database_url)
    pool = await open_pool(database_url, migrate=False)
    watch = await LedgerWatch.open(database_url, workload.event_ids)
    log = EmbeddedEventLog(pool, ingest_batch)
    started = time.perf_counter()
    if clock_started is not None:
        clock_started.set()
    consuming = asyncio.create_task(run_consumers(pool, consumers))
    try:
        for batch in batches(workload.raws):
            await log.submit(batch)
        return await watch.wait(
            expected_per_consumer(consumers, workload),
            started,
            within=timeout(workload),
            alive=_running(consuming),
        )
    finally:
        consuming.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consuming
        await watch.close()
        await pool.close()
