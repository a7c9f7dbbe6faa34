"""Faust wiring of ingest: each writer's topic → validate and store → on to the consumers.

Input events go to the `events` topic, for the registry's verdict; the services' emitted
events are facts already and go straight to `facts`.
"""

from __future__ import annotations

from functools import partial

import faust

from services.ingest.forwarding import record_forwarded, to_forward
from services.ingest.handlers import Accepted, ingest_batch
from services.platform.eventlog.base import Writer
from services.platform.eventlog.faust_runtime import WorkerResources, add_batch_agent
from services.platform.eventlog.topic_batches import Record
from services.platform.eventlog.topics import ENTRANCES


async def ingest_and_forward(
    writer: Writer, resources: WorkerResources, records: list[Record]
) -> None:
    """Stores the batch (each record's key checked against its event), then forwards what
    was not forwarded before (forwarding.py): new events, and those a crash kept from being
    forwarded; a producer's resend of an event forwarded before is not forwarded again."""
    pool = await resources.pool()
    keys, raws = [r.key for r in records], [r.value for r in records]
    outcomes = await ingest_batch(pool, raws, writer, keys)
    accepted = [o for o in outcomes if isinstance(o, Accepted)]
    if not accepted:
        return
    async with pool.acquire() as conn:
        events = await to_forward(conn, accepted)
    if events:
        destination = "facts" if writer is Writer.SERVICE else "events"
        await (await resources.event_log()).forward(destination, events)
        async with pool.acquire() as conn:
            await record_forwarded(conn, events)


def register(app: faust.App, resources: WorkerResources) -> None:
    for writer, topic_role in ENTRANCES.items():
        add_batch_agent(app, topic_role, resources, partial(ingest_and_forward, writer))
