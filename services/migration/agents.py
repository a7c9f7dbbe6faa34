"""Faust wiring of the migration service: events topic → plans; the planner; the outbox."""

from __future__ import annotations

import faust

from services.migration import setup
from services.migration.plan_opening import OUTBOX
from services.migration.planner import PLANNER_SECONDS
from services.migration.planner_queue import PlanQueue
from services.platform.eventlog.faust_runtime import (
    WorkerResources,
    add_consumer,
    add_outbox_relay,
    add_periodic,
)


def register(app: faust.App, resources: WorkerResources) -> None:
    clock = resources.settings.clock
    add_consumer(app, resources, setup.consumer(clock))
    queues: list[PlanQueue] = []  # the worker's one queue, made with its pool

    async def plan(resources: WorkerResources) -> None:
        # Starts the solves due and returns: a tick does not wait for a long solve.
        if not queues:
            queues.append(PlanQueue(await resources.pool(), clock))
        await queues[0].start_due()

    add_periodic(app, "migration-planner", PLANNER_SECONDS, resources, plan)
    add_outbox_relay(app, resources, OUTBOX)
