"""Faust wiring of the registry: events topic → registry projection."""

from __future__ import annotations

import faust

from services.platform.consumer import apply_serialized_batch
from services.platform.eventlog.faust_runtime import WorkerResources, add_batch_agent
from services.registry.handlers import REGISTRY_CONSUMER


async def apply(resources: WorkerResources, raws: list[bytes]) -> None:
    await apply_serialized_batch(await resources.pool(), REGISTRY_CONSUMER, raws)


def register(app: faust.App, resources: WorkerResources) -> None:
    add_batch_agent(app, "events", resources, apply)
