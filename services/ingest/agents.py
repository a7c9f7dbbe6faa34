"""Faust wiring of ingest: each writer's topic → validate and store → on to the consumers.

Input events go to the `events` topic, for the registry's verdict; the services' emitted
events are facts already and go straight to `facts`.
"""

from __future__ import annotations

from functools import partial

import faust

from services.ingest.handlers import Accepted, ingest_batch
from services.platform.eventlog.base import Writer
from services.platform.eventlog.faust_runtime import WorkerResources, add_batch_agent
from services.platform.eventlog.topics import ENTRANCES


async def ingest_and_forward(writer: Writer, resources: WorkerResources, raws: list[bytes]) -> None:
    """Accepted events (new ones and redelivered ones alike) are forwarded: if a crash came
    between storing and forwarding, the redelivery is what gets the event to the consumers."""
    outcomes = await ingest_batch(await resources.pool(), raws, writer)
    accepted = [o.envelope for o in outcomes if isinstance(o, Accepted)]
    if accepted:
        destination = "facts" if writer is Writer.SERVICE else "events"
        await (await resources.event_log()).forward(destination, accepted)


def register(app: faust.App, resources: WorkerResources) -> None:
    for writer, topic_role in ENTRANCES.items():
        add_batch_agent(app, topic_role, resources, partial(ingest_and_forward, writer))
