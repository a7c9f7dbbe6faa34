"""Distributed mode's workers: one process per service, consuming its Kafka topics.

A worker imports only the faust wiring of the service it runs (ARCHITECTURE.md, "What a
process imports"): not the GraphQL API, nor strawberry, nor another service's agents. Each
of these processes is started per replica, and again on every restart, so its start-up
imports are paid each time (a worker importing the gateway spent twice the CPU to start).
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable

import faust

from services.platform.eventlog.faust_runtime import HealthEndpoint, WorkerResources, build_app
from services.platform.eventlog.topics import ensure_topics
from services.platform.operations.collector import tune_for_long_runs
from services.platform.postgres.database import open_pool
from services.platform.settings import Settings

Wiring = Callable[[faust.App, WorkerResources], None]

# Service -> the modules whose `register(app, resources)` wire its agents, imported when the
# worker starts. The registry's worker runs the alerts service too: alerts come from its
# announcements and its contracts (ARCHITECTURE.md, "Watchlists and alerts").
WORKERS: dict[str, tuple[str, ...]] = {
    "ingest": ("services.ingest.agents",),
    "registry": ("services.registry.agents", "services.alerts.agents"),
    "risk": ("services.risk.agents",),
    "migration": ("services.migration.agents",),
}


def register(service: str, app: faust.App, resources: WorkerResources) -> None:
    """Wires `service`'s agents, timers and tasks into `app`."""
    for module in WORKERS[service]:
        wire: Wiring = importlib.import_module(module).register
        wire(app, resources)


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
    resources = WorkerResources(settings, service)
    app = build_app(service, resources, health)
    register(service, app, resources)
    # faust runs its own loop and handles SIGINT/SIGTERM with a graceful stop.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # Logging is configured already, as in every process (platform/operations/logs.py).
    worker = faust.Worker(app, loglevel=log_level, loop=loop, override_logging=False)
    worker.execute_from_commandline()
