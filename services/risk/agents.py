"""Faust wiring of the risk service: events topic → scores; its periodic work."""

from __future__ import annotations

from functools import partial

import faust

from services.platform.clock import CALENDAR_CHECK_SECONDS
from services.platform.eventlog.faust_runtime import (
    WorkerResources,
    add_consumer,
    add_outbox_relay,
    add_periodic,
)
from services.risk import jobs, setup
from services.risk.handlers import OUTBOX, RiskService, risk_consumer


async def _calendar(risk: RiskService, resources: WorkerResources) -> None:
    await jobs.calendar(await resources.pool(), risk)


def register(app: faust.App, resources: WorkerResources) -> None:
    risk = setup.service(resources.settings)
    add_consumer(app, resources, risk_consumer(risk))
    resources.used.update(setup.used(resources.settings, risk))
    add_periodic(app, "risk-calendar", CALENDAR_CHECK_SECONDS, resources, partial(_calendar, risk))
    add_outbox_relay(app, resources, OUTBOX)
