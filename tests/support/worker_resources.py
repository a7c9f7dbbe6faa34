"""A distributed worker's resources (its pool, the topics there) for a test's block, as a
worker process opens them, on the test's PostgreSQL and Kafka."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from services.platform.eventlog.faust_runtime import WorkerResources
from services.platform.settings import Settings


@contextlib.asynccontextmanager
async def started(
    database_url: str, kafka_bootstrap: str, service: str
) -> AsyncIterator[WorkerResources]:
    worker = WorkerResources(
        Settings(database_url=database_url, kafka_bootstrap=kafka_bootstrap), service
    )
    await worker.start()
    try:
        yield worker
    finally:
        await worker.close()
