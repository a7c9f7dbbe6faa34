"""Faust wiring of ingest: each writer's topic → validate and store → on to the consumers.

Every stored event goes to the `events` topic in the store's order: input events for the
registry's verdict, the services' emitted events for it to pass on among them (forwarding.py).
"""

from __future__ import annotations

from functools import partial

import faust

from services.ingest.admission import Placement
from services.ingest.forwarding import forward_stored
from services.ingest.handlers import Accepted, ingest_batch
from services.platform.eventlog.base import Writer
from services.platform.eventlog.faust_runtime import WorkerResources, add_batch_agent
from services.platform.eventlog.topic_batches import Record
from services.platform.eventlog.topics import ENTRANCES
from services.platform.eventstore.chain import partition_of


async def ingest_and_forward(
    writer: Writer, resources: WorkerResources, records: list[Record]
) -> None:
    """Stores the batch (each record's key and partition checked against its event), then
    forwards the partitions it touched, in the store's order: its own new events, and
    whatever is stored there and not forwarded yet (another agent's, or what a crash left).
    A producer's resend of an event forwarded before forwards nothing again. The batch is
    acknowledged once this returns, so a crash in between reads it again."""
    pool = await resources.pool()
    placements = [Placement(r.key, r.partition, r.partitions) for r in records]
    outcomes = await ingest_batch(pool, [r.value for r in records], writer, placements)
    partitions = {partition_of(o.envelope.vendor_id) for o in outcomes if isinstance(o, Accepted)}
    if partitions:
        await forward_stored(pool, await resources.event_log(), partitions)


def register(app: faust.App, resources: WorkerResources) -> None:
    for writer, topic_role in ENTRANCES.items():
        add_batch_agent(app, topic_role, resources, partial(ingest_and_forward, writer))
