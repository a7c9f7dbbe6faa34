"""Distributed mode: one process per service over Kafka, and the API as its own process."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

import faust

from services.alerts import agents as alerts_agents
from services.cli.consumers import service_consumers
from services.cli.serving import ensure_port_free, serve
from services.gateway.app import create_app
from services.gateway.context import handled_by, request_context
from services.ingest import agents as ingest_agents
from services.migration import agents as migration_agents
from services.platform.auth import AuthConfig, TokenVerifier
from services.platform.chain_watch import ChainWatch
from services.platform.collector import tune_for_long_runs
from services.platform.database import open_pool
from services.platform.eventlog.faust_runtime import HealthEndpoint, WorkerResources, build_app
from services.platform.eventlog.kafka import KafkaEventLog, follow, reach
from services.platform.eventlog.topics import ensure_topics
from services.platform.graphql.broadcast import Broadcaster
from services.platform.liveness import Liveness
from services.platform.settings import Settings
from services.registry import agents as registry_agents
from services.registry import setup as registry
from services.registry.graphql_types import NAME_INDEX
from services.risk import agents as risk_agents
from services.risk import setup as risk


def _registry_and_alerts(app: faust.App, resources: WorkerResources) -> None:
    """The registry's worker runs the alerts service too: alerts come from its announcements
    and its contracts (ARCHITECTURE.md, "Watchlists and alerts")."""
    registry_agents.register(app, resources)
    alerts_agents.register(app, resources)


WORKERS: dict[str, Callable[[faust.App, WorkerResources], None]] = {
    "ingest": ingest_agents.register,
    "registry": _registry_and_alerts,
    "risk": risk_agents.register,
    "migration": migration_agents.register,
}


async def check_dependencies(settings: Settings) -> None:
    """Fails fast with a clear line when PostgreSQL or Kafka is unreachable; migrates and
    creates the topics so that every process may start in any order."""
    assert settings.kafka_bootstrap is not None
    pool = await open_pool(settings.database_url)
    await pool.close()
    await ensure_topics(
        settings.kafka_bootstrap, settings.kafka_replication_factor, settings.kafka_credentials
    )


def run_worker(
    service: str, settings: Settings, log_level: str, health: HealthEndpoint | None
) -> None:
    asyncio.run(check_dependencies(settings))
    tune_for_long_runs()
    resources = WorkerResources(settings)
    app = build_app(service, resources, health)
    WORKERS[service](app, resources)
    # faust runs its own loop and handles SIGINT/SIGTERM with a graceful stop.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # Logging is configured already, as in every process (platform/logs.py).
    worker = faust.Worker(app, loglevel=log_level, loop=loop, override_logging=False)
    worker.execute_from_commandline()


async def run_api(settings: Settings, auth: AuthConfig, host: str, port: int) -> None:
    assert settings.kafka_bootstrap is not None
    ensure_port_free(host, port)
    pool = await open_pool(settings.database_url)
    log = KafkaEventLog(settings.kafka_bootstrap, settings.kafka_credentials)
    try:
        await ensure_topics(
            settings.kafka_bootstrap, settings.kafka_replication_factor, settings.kafka_credentials
        )
        await log.start()
        broadcaster, chain = Broadcaster(), ChainWatch()
        policies, scoring = registry.policies(settings), risk.service(settings)
        consumers = service_consumers(settings, policies, scoring)
        context = request_context(
            pool, log, settings, policies, broadcaster, scoring, handled_by(consumers)
        )
        jobs = {name: Liveness(name, "job") for name in ("broadcast", "chain", "name index")}
        kafka = partial(reach, settings.kafka_bootstrap, settings.kafka_credentials)
        broadcast = partial(
            follow, settings.kafka_bootstrap, settings.kafka_credentials, broadcaster.publish
        )
        await serve(
            create_app(context, TokenVerifier(auth), list(jobs.values()), chain=chain, kafka=kafka),
            host,
            port,
            {
                "broadcast": (broadcast, jobs["broadcast"]),
                "chain": (partial(chain.run, pool, jobs["chain"]), jobs["chain"]),
                # Built at start, then kept up to date; searches refresh it too.
                "name index": (
                    partial(context.part(NAME_INDEX).follow, pool, jobs["name index"]),
                    jobs["name index"],
                ),
            },
        )
    finally:
        await log.stop()
        await pool.close()
