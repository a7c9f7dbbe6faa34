"""Faust wiring of the migration service: events topic → plans; the planner; the outbox."""

from __future__ import annotations

from functools import partial

import faust

from services.migration import setup
from services.migration.plan_opening import OUTBOX
from services.migration.planner import PLANNER_SECONDS, replan_all_due
from services.platform.clock import Clock
from services.platform.eventlog.faust_runtime import (
    WorkerResources,
    add_consumer,
    add_outbox_relay,
    add_periodic,
)


async def _plan(clock: Clock, resources: WorkerResources) -> None:
    await replan_all_due(await resources.pool(), clock)


def register(app: faust.App, resources: WorkerResources) -> None:
    clock = resources.settings.clock
    add_consumer(app, resources, setup.consumer(clock))
    add_periodic(app, "migration-planner", PLANNER_SECONDS, resources, partial(_plan, clock))
    add_outbox_relay(app, resources, OUTBOX)
