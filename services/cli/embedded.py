"""Embedded mode: every service and the API in one process over PostgreSQL alone."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import asyncpg

from services.cli.serving import ensure_port_free, serve
from services.gateway.app import create_app
from services.ingest.handlers import ingest_batch
from services.platform import embedded_postgres
from services.platform.consumer import Consumer
from services.platform.database import open_pool
from services.platform.eventlog.embedded import EmbeddedEventLog, run_consumers
from services.platform.liveness import Liveness
from services.platform.request_context import RequestContext
from services.platform.settings import Settings
from services.registry.handlers import REGISTRY_CONSUMER

# The consumers of the validated log, in the order they are started.
CONSUMERS: Sequence[Consumer] = (REGISTRY_CONSUMER,)


async def resolve_database_url(database_url: str | None, data_dir: Path) -> str:
    """The given URL, or the embedded PostgreSQL's (started on demand) in `data_dir`."""
    if database_url:
        return database_url
    server = await asyncio.to_thread(embedded_postgres.start, data_dir)
    return await embedded_postgres.database_url(server)


@contextlib.asynccontextmanager
async def embedded_log(database_url: str) -> AsyncIterator[tuple[asyncpg.Pool, EmbeddedEventLog]]:
    pool = await open_pool(database_url)
    try:
        yield pool, EmbeddedEventLog(pool, ingest_batch)
    finally:
        await pool.close()


async def run_up(settings: Settings, host: str, port: int) -> None:
    ensure_port_free(host, port)
    async with embedded_log(settings.database_url) as (pool, log):
        livenesses = [Liveness(consumer.name) for consumer in CONSUMERS]
        consumers = asyncio.create_task(
            run_consumers(pool, CONSUMERS, livenesses), name="consumers"
        )
        try:
            app = create_app(RequestContext(pool, log, settings), livenesses)
            await serve(app, host, port)
        finally:
            consumers.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consumers
