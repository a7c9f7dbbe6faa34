"""Faust wiring of ingest: raw topic → validate and store → events topic."""

from __future__ import annotations

import faust

from services.ingest.handlers import Accepted, ingest_batch
from services.platform.eventlog.faust_runtime import WorkerResources, add_batch_agent


async def ingest_and_forward(resources: WorkerResources, raws: list[bytes]) -> None:
    """Accepted events (new ones and redelivered ones alike) are forwarded: if a crash came
    between storing and forwarding, the redelivery is what gets the event to the consumers."""
    outcomes = await ingest_batch(await resources.pool(), raws)
    accepted = [o.envelope for o in outcomes if isinstance(o, Accepted)]
    if accepted:
        await (await resources.event_log()).forward(accepted)


def register(app: faust.App, resources: WorkerResources) -> None:
    add_batch_agent(app, "raw", resources, ingest_and_forward)
