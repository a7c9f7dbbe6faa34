"""Faust wiring of the registry: events topic → registry projection; its periodic work."""

from __future__ import annotations

import faust

from services.platform.clock import CALENDAR_CHECK_SECONDS
from services.platform.eventlog.faust_runtime import (
    WorkerResources,
    add_consumer,
    add_outbox_relay,
    add_periodic,
)
from services.registry import jobs, setup
from services.registry.announcements import OUTBOX


async def _calendar(resources: WorkerResources) -> None:
    await jobs.calendar(await resources.pool(), resources.settings.clock)


def register(app: faust.App, resources: WorkerResources) -> None:
    settings = resources.settings
    policies = setup.policies(settings)
    add_consumer(app, resources, setup.consumer(settings, policies))
    resources.used.update(setup.used(settings, policies))
    add_periodic(app, "registry-calendar", CALENDAR_CHECK_SECONDS, resources, _calendar)
    add_outbox_relay(app, resources, OUTBOX)
