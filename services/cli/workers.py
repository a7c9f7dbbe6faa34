"""Distributed mode's workers: one process per service, consuming its Kafka topics.

A worker imports only the faust wiring of the service it runs (ARCHITECTURE.md, "What a
process imports"): not the GraphQL API, nor strawberry, nor another service's agents. Each
of these processes is started per replica, and again on every restart, so its start-up
imports are paid each time (a worker importing the gateway spent twice the CPU to start).
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Callable

import faust

from services.platform.eventlog.faust_runtime import HealthEndpoint, WorkerResources, build_app
from services.platform.operations.collector import tune_for_long_runs
from services.platform.operations.logs import LogFormat
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


def run_worker(
    service: str,
    settings: Settings,
    log_level: str,
    health: HealthEndpoint | None,
    log_format: LogFormat = "json",
) -> None:
    """Runs the worker until it is stopped. It starts with its health server, then waits
    for PostgreSQL and Kafka (`WorkerResources.start`); a dependency refusing its
    configuration stops it, raised here as the StartupError it is."""
    tune_for_long_runs()
    resources = WorkerResources(settings, service)
    app = build_app(service, resources, health)
    register(service, app, resources)
    # faust runs its own loop and handles SIGINT/SIGTERM with a graceful stop.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # Logging is configured already, as in every process (platform/operations/logs.py). With
    # JSON lines, faust's start-up spinner and its "OK" are not written between them (its
    # "Ready" is then logged); nor with text lines anywhere but on a terminal: faust draws
    # the spinner's cursor codes, backspaces and "OK ^" whatever stdout is, into the log
    # file, journal or container log that collects it.
    json_logs = log_format == "json"
    worker = faust.Worker(
        app, loglevel=log_level, loop=loop, override_logging=False, quiet=json_logs
    )
    if json_logs or not (sys.stdout.isatty() and sys.stderr.isatty()):
        worker.spinner = None
    try:
        worker.execute_from_commandline()
    except SystemExit:
        if resources.refused is None:
            raise
        raise resources.refused from None
