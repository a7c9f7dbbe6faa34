"""Faust wiring of the registry: events topic → registry projection; the periodic jobs."""

from __future__ import annotations

from functools import partial

import faust

from services.platform.consumer import Consumer, apply_serialized_batch
from services.platform.eventlog.faust_runtime import WorkerResources, add_batch_agent
from services.registry import jobs, setup


async def apply(consumer: Consumer, resources: WorkerResources, raws: list[bytes]) -> None:
    await apply_serialized_batch(await resources.pool(), consumer, raws)


def register(app: faust.App, resources: WorkerResources) -> None:
    add_batch_agent(
        app,
        "events",
        resources,
        partial(apply, setup.consumer(resources.settings, setup.policies(resources.settings))),
    )

    @app.timer(jobs.TICK_SECONDS)  # type: ignore[untyped-decorator]
    async def registry_jobs() -> None:
        await jobs.tick(
            await resources.pool(), resources.settings.clock, await resources.event_log()
        )
