"""Fan-out of live events to this process's GraphQL subscribers.

Each API process (each replica in distributed mode) follows the validated log itself and
hands every event to its own subscribers; a subscriber too slow to keep up loses its oldest
events rather than slowing the others down.

An event costs only the subscribers that want it: subscriptions are indexed by event type and
vendor, so publishing looks up the queues of the event's type (all vendors, or its vendor)
and wakes no one else. What subscribers of one kind make of an event (`shape`, e.g. the
GraphQL object a subscription yields) is made once per event, not once per subscriber.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Collection
from typing import TypeVar, cast

from services.events.base import EventEnvelope

log = logging.getLogger(__name__)

QUEUE_SIZE = 1000
RECENT_IDS = 10_000
# Shaped events kept for subscribers still to take them: a subscriber at most QUEUE_SIZE
# behind finds its shape here unless that many events of its kind came in between.
SHAPED = 1000

T = TypeVar("T")
# Subscriptions' queues by event type (None: every type), then by vendor (None: every vendor).
_Index = dict[str | None, dict[str | None, set[asyncio.Queue[EventEnvelope]]]]


class Broadcaster:
    def __init__(self) -> None:
        self._index: _Index = {}
        # The log is at least once: an event relayed twice reaches subscribers once.
        self._recent: collections.OrderedDict[uuid.UUID, None] = collections.OrderedDict()
        self._shaped: collections.OrderedDict[tuple[uuid.UUID, object], object] = (
            collections.OrderedDict()
        )

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
        for event_type in (event.event_type, None):
            by_vendor = self._index.get(event_type)
            if by_vendor is None:
                continue
            for vendor_id in (event.vendor_id, None):
                for queue in by_vendor.get(vendor_id, ()):
                    if queue.full():
                        queue.get_nowait()
                        log.warning("a slow subscriber dropped an event")
                    queue.put_nowait(event)

    def shaped(self, event: EventEnvelope, shape: Callable[[EventEnvelope], T]) -> T:
        """`shape(event)`, made once for every subscriber that asks."""
        key = (event.event_id, shape)
        made = self._shaped.get(key, self._shaped)
        if made is self._shaped:
            made = self._shaped[key] = shape(event)
            if len(self._shaped) > SHAPED:
                self._shaped.popitem(last=False)
        return cast(T, made)

    async def events(
        self,
        event_type: str,
        vendor_ids: Collection[str] | None,
        shape: Callable[[EventEnvelope], T],
    ) -> AsyncGenerator[tuple[EventEnvelope, T], None]:
        """The events of one type (for some vendors only, when given) as they come, each
        with its shape."""
        async with self.subscribe((event_type,), vendor_ids) as queue:
            while True:
                event = await queue.get()
                yield event, self.shaped(event, shape)

    @contextlib.asynccontextmanager
    async def subscribe(
        self, event_types: Collection[str] | None = None, vendor_ids: Collection[str] | None = None
    ) -> AsyncIterator[asyncio.Queue[EventEnvelope]]:
        """A queue of the events of these types (all when None) for these vendors (all when
        None), for the block."""
        queue: asyncio.Queue[EventEnvelope] = asyncio.Queue(QUEUE_SIZE)
        keys = [
            (event_type, vendor_id)
            for event_type in ((None,) if event_types is None else set(event_types))
            for vendor_id in ((None,) if vendor_ids is None else set(vendor_ids))
        ]
        for event_type, vendor_id in keys:
            self._index.setdefault(event_type, {}).setdefault(vendor_id, set()).add(queue)
        try:
            yield queue
        finally:
            for event_type, vendor_id in keys:
                by_vendor = self._index[event_type]
                by_vendor[vendor_id].discard(queue)
                if not by_vendor[vendor_id]:
                    del by_vendor[vendor_id]
                if not by_vendor:
                    del self._index[event_type]
