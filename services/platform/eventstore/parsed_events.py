"""Stored events parsed once per process: in embedded mode ingest appends an event it has just
parsed, and every consumer then reads it back from the store, a little apart from the others.

Kept by content hash (the SHA-256 of the event's canonical JSON, stored with it): the same
content is the same event, whichever database holds it, so what ingest parsed serves the
readers, and processes with several databases (tests) never mix them. A row whose text was
edited behind its hash reads as the event that was stored; `vendorwatch verify` is what
finds the edit. The models are frozen, so sharing them is safe.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from services.events.base import EventEnvelope
from services.events.catalog import EventRejected, parse_stored

# Events kept, the oldest stored first out: readers go through the log in order, so the
# oldest is the one they are all past. Enough for the consumers' spread in a 20,000-event
# burst (the slowest some 8,000 events behind ingest); about 28 MB per 10,000 realistic events.
KEPT = 20_000

_kept: OrderedDict[str, EventEnvelope] = OrderedDict()
_lock = threading.Lock()  # parsing runs in worker threads (off_the_loop.py)
# Whether this process reads the store (embedded consumers, a rebuild, distributed ingest's
# forwarding): one that only appends (an API replica) would hold its appends for nobody.
_reading = False


def appended(stored: Iterable[tuple[str, EventEnvelope]]) -> None:
    """Events just appended, with their content hashes: held for this process's readers."""
    if _reading:
        remember(stored)


def remember(stored: Iterable[tuple[str, EventEnvelope]]) -> None:
    """Events as stored, with their content hashes (the appender's: readers skip the parse)."""
    with _lock:
        for digest, envelope in stored:
            _kept[digest] = envelope
        while len(_kept) > KEPT:
            _kept.popitem(last=False)  # constant time, where a dict's first key is not


def known(digests: Sequence[str]) -> list[EventEnvelope | None]:
    """Per content hash, the event held for it (None: not held)."""
    global _reading
    _reading = True
    with _lock:
        return [_kept.get(digest) for digest in digests]


class Unreadable(Exception):
    """A stored row this version cannot read as an event (`index`: which of those asked)."""

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(reason)
        self.index = index
        self.reason = reason


def parse(rows: Sequence[tuple[str, str]]) -> list[EventEnvelope]:
    """The events of (content hash, stored text) rows, parsed, and held from now on; raises
    `Unreadable` at the first that is not an event this version knows."""
    events = []
    for index, (_, text) in enumerate(rows):
        try:
            events.append(parse_stored(text))
        except EventRejected as rejection:
            raise Unreadable(index, rejection.reason) from None
    remember((digest, event) for (digest, _), event in zip(rows, events, strict=True))
    return events
