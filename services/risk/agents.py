"""Faust wiring of the risk service: events topic → scores; the periodic jobs."""

from __future__ import annotations

from functools import partial

import faust

from services.platform.eventlog.faust_runtime import WorkerResources, add_consumer, add_periodic
from services.risk import jobs, setup
from services.risk.handlers import RiskService, risk_consumer


async def _jobs(risk: RiskService, resources: WorkerResources) -> None:
    await jobs.tick(await resources.pool(), risk, await resources.event_log())


def register(app: faust.App, resources: WorkerResources) -> None:
    risk = setup.service(resources.settings)
    add_consumer(app, resources, risk_consumer(risk))
    add_periodic(app, "risk-jobs", jobs.TICK_SECONDS, resources, partial(_jobs, risk))
