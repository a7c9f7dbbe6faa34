"""Fan-out of live events to this process's GraphQL subscribers.

Each API process (each replica in distributed mode) follows the validated log itself and
hands every event to its own subscribers; a subscriber too slow to keep up loses its oldest
events rather than slowing the others down.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Collection

from services.events.base import EventEnvelope

log = logging.getLogger(__name__)

QUEUE_SIZE = 1000
RECENT_IDS = 10_000


class Broadcaster:
    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[EventEnvelope]] = set()
        # The log is at least once: an event relayed twice reaches subscribers once.
        self._recent: collections.OrderedDict[uuid.UUID, None] = collections.OrderedDict()

    def _seen(self, event: EventEnvelope) -> bool:
        if event.event_id in self._recent:
            return True
        self._recent[event.event_id] = None
        if len(self._recent) > RECENT_IDS:
            self._recent.popitem(last=False)
        return False

    def publish(self, event: EventEnvelope) -> None:
        if self._seen(event):
            return
        for queue in self._subscribers:
            if queue.full():
                queue.get_nowait()
                log.warning("a slow subscriber dropped an event")
            queue.put_nowait(event)

    async def events(
        self, event_type: str, vendor_ids: Collection[str] | None
    ) -> AsyncIterator[EventEnvelope]:
        """The events of one type (for some vendors only, when given), as they come."""
        async with self.subscribe() as queue:
            while True:
                event = await queue.get()
                if event.event_type == event_type and (
                    vendor_ids is None or event.vendor_id in vendor_ids
                ):
                    yield event

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[EventEnvelope]]:
        queue: asyncio.Queue[EventEnvelope] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)
