"""A distributed worker's /readyz and /metrics, served by faust's web server beside /healthz
(`--health-port`).

The worker's consumer lag is Kafka's own definition, as `kafka-consumer-groups` reports it:
per assigned partition, the high watermark minus the group's committed offset (batches are
acknowledged only after their transaction committed, so this counts events not yet applied,
plus at most one commit interval of applied ones). It is measured when scraped or probed.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import TYPE_CHECKING, Any

import asyncpg
import faust

from services.platform.operations import database_gauges, metrics
from services.platform.operations.readiness import (
    CHECK_SECONDS,
    readiness_report,
    waiting_report,
)
from services.platform.postgres.migrations import pending_migrations

if TYPE_CHECKING:
    from services.platform.eventlog.faust_runtime import WorkerResources

log = logging.getLogger(__name__)


async def kafka_lags(resources: WorkerResources, service: str) -> dict[str, int]:
    """Sets the lag gauge of every partition assigned to this worker; returns the total."""
    by_topic = await resources.batches.lags()
    for topic, lags in by_topic.items():
        metrics.set_lag(service, topic, lags)
    return {service: sum(sum(lags.values()) for lags in by_topic.values())}


def add_observability(app: faust.App, service: str, resources: WorkerResources) -> None:
    lags = partial(kafka_lags, resources, service)

    async def migrations() -> list[str]:
        return await resources.probe.ask(pending_migrations)

    @app.page("/readyz")
    async def readyz(web: Any, _request: Any) -> Any:
        if waiting := resources.start_up.waiting():
            status, body = waiting_report(waiting)
        else:
            status, body = await readiness_report(migrations, resources.reach_kafka, lags)
        return web.json(body, status=status)

    @app.page("/metrics")
    async def scrape(web: Any, _request: Any) -> Any:
        try:
            await lags()
        except Exception as error:  # Kafka away: the counters are still worth serving
            log.warning("metrics: the consumer lag could not be measured: %s", error)
        # The database's gauges as the API reads them, on the probe's connection (the pool may
        # be busy to its last connection); without PostgreSQL they keep their last values.
        try:
            async with asyncio.timeout(CHECK_SECONDS):
                await resources.probe.ask(database_gauges.sample_on)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("metrics: the database's gauges could not be read: %s", error)
        body, content_type = metrics.exposition()
        # aiohttp refuses a charset in `content_type`; the header is passed as it is.
        return web.bytes(body, headers={"Content-Type": content_type})
