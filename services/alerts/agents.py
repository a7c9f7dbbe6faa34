"""Faust wiring of the alerts service, run in the registry's worker (ARCHITECTURE.md,
"Watchlists and alerts"): facts → alerts, the outbox relay, webhook deliveries."""

from __future__ import annotations

import asyncio

import faust

from services.alerts import setup
from services.alerts.handlers import OUTBOX
from services.alerts.webhooks import WebhookConfig, run_deliveries
from services.platform.eventlog.faust_runtime import (
    WorkerResources,
    add_consumer,
    add_outbox_relay,
)
from services.platform.operations.liveness import Liveness
from services.platform.operations.retry import note_failure

# After the database is lost before the loop's own retries begin (no pool yet).
_RESTART_SECONDS = 1.0


def register(app: faust.App, resources: WorkerResources) -> None:
    add_consumer(app, resources, setup.consumer(resources.settings))
    add_outbox_relay(app, resources, OUTBOX)
    config = WebhookConfig.of(resources.settings)
    if config is None:
        return
    liveness = Liveness("webhooks", "job")
    resources.livenesses.append(liveness)

    async def deliver() -> None:
        task = asyncio.current_task()
        assert task is not None
        resources.listeners.add(task)  # stopped before the pool is closed
        while True:
            try:
                await run_deliveries(await resources.pool(), config, liveness)
            except Exception as error:  # PostgreSQL away before a pool could be opened
                note_failure(liveness, "webhooks", error)
                await asyncio.sleep(_RESTART_SECONDS)

    app.task(deliver)
