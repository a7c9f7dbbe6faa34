"""No event is lost when workers are killed mid-stream (faust issue #606).

Workers are SIGKILLed while events flow, then restarted: every event still has its effect,
exactly once.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.support import case_b
from tests.support.processes import Service, cli_publisher, eventually

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

CHUNKS, PER_CHUNK = 4, 100
TOTAL = CHUNKS * PER_CHUNK


@pytest.fixture
def worker_args(kafka_bootstrap: str, database_url: str, namespace: str) -> list[str]:
    return ["--kafka", kafka_bootstrap, "--database-url", database_url]


@pytest.fixture
def started(tmp_path: Path) -> Iterator[list[Service]]:
    services: list[Service] = []
    yield services
    for service in services:
        service.stop()


def _chunk(path: Path, number: int) -> Path:
    path.write_bytes(
        b"\n".join(case_b.line(case_b.another_vendor(f"v{number}-{i}")) for i in range(PER_CHUNK))
    )
    return path


async def test_killed_workers_lose_nothing_and_apply_nothing_twice(
    pool: asyncpg.Pool,
    kafka_bootstrap: str,
    worker_args: list[str],
    started: list[Service],
    tmp_path: Path,
) -> None:
    def start(name: str, service: str) -> Service:
        process = Service(name, ["worker", service, *worker_args], tmp_path)
        started.append(process)
        return process

    def publish(number: int) -> None:
        cli_publisher("--kafka", kafka_bootstrap)(_chunk(tmp_path / f"c{number}.jsonl", number))

    async def vendors() -> int:
        return int(await pool.fetchval("SELECT count(*) FROM registry_vendors"))

    ingest = start("ingest-1", "ingest")
    registry = start("registry-1", "registry")
    publish(0)

    async def some_applied() -> bool:
        return await vendors() > 0

    await eventually(some_applied, "the first vendors to be registered", seconds=90)
    registry.process.send_signal(signal.SIGKILL)
    publish(1)
    ingest.process.send_signal(signal.SIGKILL)
    publish(2)
    start("ingest-2", "ingest")
    start("registry-2", "registry")
    publish(3)

    async def all_applied() -> bool:
        return await vendors() == TOTAL

    await eventually(all_applied, f"all {TOTAL} vendors after the restarts", seconds=120)
    assert await pool.fetchval("SELECT count(*) FROM event_store") == TOTAL
    assert (
        await pool.fetchval("SELECT count(*) FROM processed_events WHERE consumer = 'registry'")
        == TOTAL
    )
    assert await pool.fetchval("SELECT count(*) FROM dead_letters") == 0
