"""CPU time of a consumer's batches, its handler alone and the PostgreSQL backend serving
them, for the benchmarks that compare two versions of the code on a busy machine by the CPU
each spends, not by wall-clock time (the registry's and the alerts' batch benchmarks)."""

from __future__ import annotations

import dataclasses
import gc
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import asyncpg

from services.events.base import EventEnvelope
from services.platform.consuming.consumer import BatchHandler, Consumer, apply_batch
from services.platform.operations.collector import tune_for_long_runs
from services.platform.postgres.database import SERVER_SETTINGS, Connection
from tests.support import postgres
from tests.support.throughput import rounds

Measured = TypeVar("Measured")


@dataclass(frozen=True)
class Applied:
    """CPU seconds of applying a log's events: the batch handler alone, `apply_batch` with
    it, and PostgreSQL's backend (None when the server runs elsewhere)."""

    handler: float
    batches: float
    postgres: float | None


@dataclass
class _TimedHandler:
    """A batch handler with the CPU time it spent counted (the process's: a handler's work
    in worker threads counts too)."""

    apply_all: BatchHandler
    seconds: float = 0.0

    async def __call__(self, conn: Connection, events: Sequence[EventEnvelope]) -> None:
        started = time.process_time()
        try:
            await self.apply_all(conn, events)
        finally:
            self.seconds += time.process_time() - started


async def applied_alone(
    database_url: str, consumer: Consumer, events: Sequence[EventEnvelope], batch: int
) -> Applied:
    """Applies `events` through `consumer`, `batch` at a time as live batches come, on one
    connection, so that PostgreSQL's work is one backend's."""
    assert consumer.apply_all is not None
    timed = _TimedHandler(consumer.apply_all)
    consumer = dataclasses.replace(consumer, apply_all=timed)
    one = await asyncpg.create_pool(
        database_url, min_size=1, max_size=1, server_settings=SERVER_SETTINGS
    )
    try:
        async with one.acquire() as conn:
            backend = conn.get_server_pid()
        before = _backend_cpu(backend)
        applying = time.process_time()
        for start in range(0, len(events), batch):
            await apply_batch(one, consumer, events[start : start + batch])
        applied = time.process_time()
        after = _backend_cpu(backend)
    finally:
        await one.close()
    backend_seconds = None if after is None or before is None else after - before
    return Applied(timed.seconds, applied - applying, backend_seconds)


async def rounds_on_fresh_databases(
    test_databases: postgres.TestDatabases,
    one_round: Callable[[str], Awaitable[Measured]],
) -> list[Measured]:
    """`one_round` on a fresh database per round (VENDORWATCH_BENCH_ROUNDS), the garbage
    collector set as every vendorwatch process sets it (with the interpreter's default, its
    full collections fell inside one round or another: up to 0.3 s of a round's CPU)."""
    spent: list[Measured] = []
    previous = gc.get_threshold()
    tune_for_long_runs()
    try:
        for _ in range(rounds()):
            async with test_databases.fresh() as url:
                spent.append(await one_round(url))
    finally:
        gc.set_threshold(*previous)
    return spent


def print_cpu(events: int, rounds: Mapping[str, Sequence[float | None]]) -> None:
    """Each measure's best round and every round's CPU, per event too."""
    for measure, seconds in rounds.items():
        known = [s for s in seconds if s is not None]
        if len(known) < len(seconds):
            print(f"\n{measure:>8}: not measured (the server is not on this machine)")
            continue
        best = min(known)
        print(
            f"\n{measure:>8}, {events:,} events: CPU {best:.2f} s at best"
            f" ({best / events * 1e6:,.0f} µs per event); rounds:"
            f" {', '.join(f'{s:.2f} s' for s in known)}"
        )


def _backend_cpu(pid: int) -> float | None:
    """CPU seconds (user and system) a PostgreSQL backend on this machine has spent so far;
    None when the server runs elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
