"""What this process's ingest stored, handed to this process's readers of the log at commit.

A reader of the embedded log (a consumer, the live fan-out's `follow`) learns of an append
from PostgreSQL's notice, then reads its offsets and the log to find the events: a notice,
two statements and a parse after the commit, on an event loop the appending request is still
using. Events stored in this process are handed to its readers as soon as their transaction
commits, with their places (partition, seq), and a reader takes them without reading the log
when they come next after its cursor in their partitions. The log stays the reference: a
handed event that is not next (another process appended before it) makes the reader read the
log, and so does a notice of another process's append. This process's own notices carry its
`notice` payload, so its readers pass over them (the events came handed).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterator, Sequence

from services.events.base import EventEnvelope
from services.platform.eventstore.event_reads import Cursor, Read
from services.platform.eventstore.event_store import Place

# Handed events a reader may have waiting; beyond, they are dropped and the reader reads the
# log (a reader that stopped taking them must not hold them without bound).
PENDING = 10_000

Stored = tuple[Place, EventEnvelope]


class Tail:
    """One reader's handed events, and whether it must read the log."""

    def __init__(self, wakeup: asyncio.Event) -> None:
        self._wakeup = wakeup
        self._pending: list[Stored] = []
        # Set when the log holds what was not handed: another process's append, or a handed
        # event that could not be taken.
        self.read_the_log = True

    def offer(self, stored: Sequence[Stored]) -> None:
        self._pending.extend(stored)
        if len(self._pending) > PENDING:
            self._pending.clear()
            self.read_the_log = True
        self._wakeup.set()

    def notified(self) -> None:
        """Another process appended: only the log has its events."""
        self.read_the_log = True
        self._wakeup.set()

    def take(self, cursor: Cursor, limit: int) -> Read | None:
        """The handed events next after `cursor` in their partitions (at most `limit`, in the
        order stored) and the cursor past them; None when there is none to take. A handed event
        that is not next (the log holds others before it) is dropped with every one after it,
        and the reader told to read the log."""
        seqs, events = list(cursor.seqs), list[EventEnvelope]()
        for done, (place, event) in enumerate(self._pending):
            if place.seq <= seqs[place.partition]:
                continue  # read from the log already
            if place.seq != seqs[place.partition] + 1:
                self._pending.clear()
                self.read_the_log = True
                break
            if len(events) == limit:
                del self._pending[:done]
                break
            seqs[place.partition] = place.seq
            events.append(event)
        else:
            self._pending.clear()
        return Read(events, Cursor(tuple(seqs)), len(events)) if events else None


class OwnAppends:
    """This process's appends, handed to the `Tail` of each of its readers."""

    def __init__(self) -> None:
        # The payload of this process's appends' notices, unique to it.
        self.notice = uuid.uuid4().hex
        self._tails: set[Tail] = set()

    def stored(self, stored: Sequence[Stored]) -> None:
        """Call as soon as the transaction that stored them has committed."""
        if stored:
            for tail in self._tails:
                tail.offer(stored)

    def is_own(self, payload: object) -> bool:
        return payload == self.notice

    @contextlib.contextmanager
    def tail(self, wakeup: asyncio.Event) -> Iterator[Tail]:
        """A reader's tail for the block; `wakeup` is set when something comes for it."""
        tail = Tail(wakeup)
        self._tails.add(tail)
        try:
            yield tail
        finally:
            self._tails.discard(tail)
