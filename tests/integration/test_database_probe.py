"""/healthz and /readyz ask PostgreSQL on a connection of their own: asked through the
process's pool, /healthz said `degraded`, waiting for the database, whenever every connection
of the pool was busy longer than its probe may wait (an import, a rebuild: an operator's soak
test), while PostgreSQL answered all along; /readyz said `not ready` (a tester's finding); the
chain's latest verification was reported "not checked yet"."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from services.platform.eventlog.faust_runtime import HealthEndpoint, WorkerResources, build_app
from services.platform.eventstore import chain_checks
from services.platform.eventstore.chain_watch import ChainWatch
from services.platform.operations.database_probe import APPLICATION_NAME, database_probe
from services.platform.settings import Settings
from tests.support.in_process_api import asgi_client
from tests.support.postgres_outage import stoppable_postgres

pytestmark = pytest.mark.postgres


@asynccontextmanager
async def _every_connection_held(pool: asyncpg.Pool) -> AsyncIterator[None]:
    """The pool busy to its last connection for the block."""
    held = [await pool.acquire() for _ in range(pool.get_max_size())]
    try:
        yield
    finally:
        for connection in held:
            await pool.release(connection)


async def test_a_pool_busy_to_its_last_connection_is_no_database_out_of_reach(
    pool: asyncpg.Pool, database_url: str
) -> None:
    async with (
        _every_connection_held(pool),
        database_probe(database_url) as probe,
        asgi_client(pool, database=probe) as client,
    ):
        health = (await client.get("/healthz")).json()
    assert health["status"] == "ok", health
    assert "waiting_for" not in health


async def test_a_pool_busy_to_its_last_connection_still_reports_the_chain(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """The chain's latest verification read on the probe's connection: read through the
    pool, it was no answer within the 0.5 s /healthz waits, and the report "not checked
    yet" (or an older result this process had read) for the one recorded."""
    await chain_checks.record(pool, 7, [])
    async with (
        _every_connection_held(pool),
        database_probe(database_url) as probe,
        asgi_client(pool, chain=ChainWatch(database_url), database=probe) as client,
    ):
        health = (await client.get("/healthz")).json()
    assert health["chain"]["status"] == "intact", health
    assert health["chain"]["events"] == 7, health


async def test_a_pool_busy_to_its_last_connection_is_still_ready(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """Its migrations asked on the probe's connection, the process is ready: it was `not
    ready`, the database "unreachable: TimeoutError" after the 4 s /readyz waits."""
    async with (
        _every_connection_held(pool),
        database_probe(database_url) as probe,
        asgi_client(pool, database=probe) as client,
    ):
        answer = await client.get("/readyz")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["checks"]["migrations"] == {"ready": True, "detail": "all applied"}


@pytest.mark.kafka
async def test_a_worker_whose_pool_is_busy_to_its_last_connection_is_still_ready(
    database_url: str, kafka_bootstrap: str
) -> None:
    """A distributed worker's /readyz asked its migrations through the worker's pool: busy
    to its last connection for the 4 s it waits (a batch of every partition, the LISTENs),
    the worker was `not ready`, the database "unreachable: TimeoutError"."""
    settings = Settings(database_url=database_url, kafka_bootstrap=kafka_bootstrap)
    resources = WorkerResources(settings, "registry")
    readyz = build_app("registry", resources, HealthEndpoint("127.0.0.1", 6066)).web.views[
        "/readyz"
    ]
    await resources.start()  # as a worker does: its pool opened, Kafka reached
    try:
        pool = await resources.pool()
        async with _every_connection_held(pool):
            answer = await readyz.get(None)  # the page's handler, as faust's server calls it
    finally:
        await resources.close()
    body = json.loads(answer.body)
    assert answer.status == 200, body
    assert body["checks"]["migrations"] == {"ready": True, "detail": "all applied"}


@pytest.mark.kafka
async def test_a_worker_whose_pool_is_busy_to_its_last_connection_still_reports_the_chain(
    database_url: str, kafka_bootstrap: str
) -> None:
    """A worker's /healthz read the chain's latest verification through the worker's pool:
    busy to its last connection for the 0.5 s it waits, the report said "not checked yet"
    for the verification recorded."""
    settings = Settings(database_url=database_url, kafka_bootstrap=kafka_bootstrap)
    resources = WorkerResources(settings, "registry")
    healthz = build_app("registry", resources, HealthEndpoint("127.0.0.1", 6066)).web.views[
        "/healthz"
    ]
    await resources.start()
    try:
        pool = await resources.pool()
        await chain_checks.record(pool, 7, [])
        async with _every_connection_held(pool):
            answer = await healthz.get(None)
    finally:
        await resources.close()
    body = json.loads(answer.body)
    assert body["chain"]["status"] == "intact", body
    assert body["chain"]["events"] == 7, body


@pytest.mark.kafka
async def test_an_idle_worker_says_its_postgresql_out_of_reach(kafka_bootstrap: str) -> None:
    """A distributed worker with nothing to apply said "ok" while PostgreSQL was down, with
    the chain's last result read before (the API said "degraded"): its loops fail only once
    they have work. Its probe connection says it now, as the API's does; an outage is no
    reason to restart it, so it is not stalled (200)."""
    with stoppable_postgres() as server:
        settings = Settings(database_url=await server.database(), kafka_bootstrap=kafka_bootstrap)
        resources = WorkerResources(settings, "registry")
        healthz = build_app("registry", resources, HealthEndpoint("127.0.0.1", 6066)).web.views[
            "/healthz"
        ]
        await resources.start()
        try:
            await chain_checks.record(await resources.pool(), 7, [])
            before = await healthz.get(None)
            server.stop_immediately()
            during = await healthz.get(None)
            server.start()
        finally:
            await resources.close()
    assert json.loads(before.body)["status"] == "ok", before.body
    body = json.loads(during.body)
    assert during.status == 200, body
    assert body["status"] == "degraded", body
    assert body["waiting_for"] == ["database"], body
    assert body["database"]["waiting_for"] == "PostgreSQL", body
    assert body["chain"]["events"] == 7, body  # the last result read, said as such


async def test_the_probes_connection_lost_is_made_again(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """PostgreSQL restarted, a failover: the probe's connection is gone, and the next probe
    connects again rather than report the database out of reach."""
    backend = "SELECT pid FROM pg_stat_activity WHERE application_name = $1"
    async with database_probe(database_url) as probe, asgi_client(pool, database=probe) as client:
        assert (await client.get("/healthz")).json()["status"] == "ok"
        first = await pool.fetchval(backend, APPLICATION_NAME)
        # Gone by the time it returns (its time-out: how long it waits for the backend).
        assert await pool.fetchval("SELECT pg_terminate_backend($1, 5000)", first)
        health = (await client.get("/healthz")).json()
        again = await pool.fetchval(backend, APPLICATION_NAME)
    assert health["status"] == "ok", health
    assert again is not None and again != first


async def test_a_database_out_of_reach_is_said(pool: asyncpg.Pool) -> None:
    """Nothing listening where the probe connects: the database is said out of reach."""
    async with (
        database_probe("postgresql://vendorwatch@127.0.0.1:1/vendorwatch") as probe,
        asgi_client(pool, database=probe) as client,
    ):
        health = (await client.get("/healthz")).json()
    assert health["status"] == "degraded", health
    assert health["waiting_for"] == ["database"], health
