"""A dependency gone between a start-up's wait for it and the next thing opened on it (the
keyed look-ups' pool after the main pool, the producer after the topics) is waited for as at
the start, not a failed start.

The windows are opened by the dependencies themselves, at a moment the test chooses: a
PostgreSQL role allowed one connection (the main pool's; the second, the keyed look-ups'
pool's, is refused "too many connections" as a full server refuses it) until the limit is
lifted; a Kafka broker reached through a TCP gate that lets the topics' admin client through
and drops every later connection until it is opened (tcp_gate.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from tests.support.postgres import with_database
from tests.support.postgres_outage import StoppablePostgres
from tests.support.processes import Service, free_port, wait_until
from tests.support.tcp_gate import tcp_gate

pytestmark = [pytest.mark.postgres]

START_SECONDS = 120.0
# Long enough for several capped waits: a process that exits at the window has done so.
WAITING_SECONDS = 5.0
ROLE = "vw_one_connection"
RETRY = {"VENDORWATCH_RETRY_MAX_SECONDS": "1"}


class Process:
    """One `vendorwatch` command serving on `port`, its answers read while it runs."""

    def __init__(self, service: Service, port: int) -> None:
        self.service, self.base = service, f"http://127.0.0.1:{port}"

    def answer(self, path: str) -> tuple[int, dict[str, Any]]:
        if self.service.process.poll() is not None:
            raise AssertionError(
                f"{self.service.name} exited ({self.service.process.returncode}):\n"
                + self.service.log_tail()
            )
        response = httpx.get(f"{self.base}{path}", timeout=5)
        return response.status_code, response.json()

    def answering(self) -> bool:
        try:
            self.answer("/healthz")
        except httpx.HTTPError:
            return False
        return True

    def waits_for(self, dependency: str, seconds: float = WAITING_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            status, body = self.answer("/healthz")
            assert (status, body.get("waiting_for")) == (200, [dependency]), body
            time.sleep(0.5)

    def becomes_ready(self) -> None:
        wait_until(lambda: self.answer("/readyz")[0] == 200, "it to be ready", START_SECONDS)


def _run(process: Process, steps: Callable[[], None]) -> None:
    """`steps`, then the process stopped, exiting 0; its log's tail printed on a failure."""
    try:
        steps()
    except BaseException:
        print(process.service.log_tail())
        raise
    finally:
        code = process.service.stop()
    assert code == 0, code


async def _one_connection_login(server: StoppablePostgres) -> str:
    """A database owned by a role that may hold one connection at a time; its URL."""
    conn = await asyncpg.connect(server.url())
    try:
        await conn.execute(f'CREATE ROLE "{ROLE}" LOGIN CONNECTION LIMIT 1')
        await conn.execute(f'CREATE DATABASE "{ROLE}" OWNER "{ROLE}"')
    finally:
        await conn.close()
    parts = urlsplit(with_database(server.url(), ROLE))
    return urlunsplit(parts._replace(netloc=f"{ROLE}@{parts.hostname or ''}"))


async def _connections_of_the_role(server: StoppablePostgres) -> int:
    conn = await asyncpg.connect(server.url())
    try:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = $1", ROLE
        )
    finally:
        await conn.close()
    return count


async def _lift_the_limit(server: StoppablePostgres) -> None:
    conn = await asyncpg.connect(server.url())
    try:
        await conn.execute(f'ALTER ROLE "{ROLE}" CONNECTION LIMIT -1')
    finally:
        await conn.close()


@pytest.mark.kafka
@pytest.mark.parametrize("command", ["api", "up"])
def test_postgresql_gone_before_the_keyed_lookups_pool_is_waited_for(
    command: str,
    server: StoppablePostgres,
    kafka_bootstrap: str,
    namespace: str,
    tmp_path: Path,
) -> None:
    url = asyncio.run(_one_connection_login(server))
    port = free_port()
    kafka = ["--kafka", kafka_bootstrap] if command == "api" else []
    args = [command, *kafka, "--database-url", url, "--port", str(port)]
    process = Process(Service(command, args, tmp_path, RETRY), port)

    def steps() -> None:
        wait_until(process.answering, "it to answer /healthz", START_SECONDS)
        # The main pool open (its one connection), the keyed look-ups' pool refused.
        wait_until(
            lambda: "too many connections for role" in process.service.log_tail(),
            "the keyed look-ups' pool to be refused",
            START_SECONDS,
        )
        assert asyncio.run(_connections_of_the_role(server)) == 1
        process.waits_for("database")
        asyncio.run(_lift_the_limit(server))
        process.becomes_ready()

    _run(process, steps)


@pytest.mark.kafka
def test_kafka_gone_before_the_producer_starts_is_waited_for(
    database_url: str, kafka_bootstrap: str, namespace: str, tmp_path: Path
) -> None:
    """The topics' admin client bootstraps through the gate (its requests then go to the
    broker's own address); the producer's bootstrap, next, finds Kafka gone."""
    port = free_port()
    with tcp_gate(kafka_bootstrap, passes=1) as gate:
        args = ["api", "--kafka", gate.address, "--database-url", database_url]
        process = Process(Service("api", [*args, "--port", str(port)], tmp_path, RETRY), port)

        def steps() -> None:
            wait_until(process.answering, "the API to answer /healthz", START_SECONDS)
            wait_until(lambda: gate.dropped > 0, "the producer to find Kafka gone", START_SECONDS)
            assert gate.passed == 1
            process.waits_for("kafka")
            gate.open()
            process.becomes_ready()

        _run(process, steps)
