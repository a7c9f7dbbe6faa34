"""Faust wiring of the registry: events topic → registry projection; the periodic jobs."""

from __future__ import annotations

import faust

from services.platform.eventlog.faust_runtime import WorkerResources, add_consumer, add_periodic
from services.registry import jobs, setup


async def _jobs(resources: WorkerResources) -> None:
    await jobs.tick(await resources.pool(), resources.settings.clock, await resources.event_log())


def register(app: faust.App, resources: WorkerResources) -> None:
    settings = resources.settings
    add_consumer(app, resources, setup.consumer(settings, setup.policies(settings)))
    add_periodic(app, "registry-jobs", jobs.TICK_SECONDS, resources, _jobs)
