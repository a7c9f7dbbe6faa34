"""Faust wiring of the migration service: events topic → plans; the planner; the outbox."""

from __future__ import annotations

import asyncio

import faust

from services.migration import setup
from services.migration.plan_opening import OUTBOX
from services.migration.planner import PLANNER_SECONDS
from services.migration.planner_queue import PlanQueue
from services.platform.consuming.running_settings import zone_used
from services.platform.eventlog.faust_runtime import (
    WorkerResources,
    add_consumer,
    add_outbox_relay,
    add_periodic,
)


def register(app: faust.App, resources: WorkerResources) -> None:
    clock = resources.settings.clock
    add_consumer(app, resources, setup.consumer(clock))
    resources.used.update(zone_used(resources.settings))
    queues: list[PlanQueue] = []  # the worker's one queue, made with its pool

    async def plan(resources: WorkerResources) -> None:
        # Starts the solves due and returns: a tick does not wait for a long solve.
        if not queues:
            queues.append(PlanQueue(await resources.pool(), clock, cancelled_on_stop))
        await queues[0].pass_for(PLANNER_SECONDS)

    def cancelled_on_stop(solve: asyncio.Task[bool]) -> None:
        # With the worker's other tasks when it stops, before its pool closes: a solve holds
        # a pooled connection, which the pool's closing would wait for.
        resources.listeners.add(solve)
        solve.add_done_callback(resources.listeners.discard)

    add_periodic(app, "migration-planner", PLANNER_SECONDS, resources, plan)
    add_outbox_relay(app, resources, OUTBOX)
