"""Sanction timelines kept between screens, by what determines them.

A screen of 5,000 bidders reads about 2,000 sanctions; building their timelines from the rows
took a third of the screen's Python. Live, sanction rows and change rows are only ever
inserted, so a timeline is fixed by its sanction row's event and recording time and by the
events of the changes known when it is read: that is the key. A rebuild inserts them again
from the same events, yet maybe with other periods (another policy, an edited log replayed
with `--force`): the cache is forgotten when a rebuild commits (platform/rebuilt_caches.py).
The recording time keeps two databases in one process (tests) apart even where their events
have the same ids; a database copied from another holds the same rows, so sharing is right
there too. The timeline's breakpoints, worked out on first use, are kept with it.
"""

from __future__ import annotations

import datetime as dt
import uuid

from services.registry.domain.sanction_timeline import SanctionTimeline
from services.registry.storage.sanction_repository import Row, change_of, timeline_of

# Well above a registry's sanctions (2,000 in the benchmark workload, a few KB each); past it
# the cache starts again, which costs one rebuild of what is read next.
LIMIT = 100_000

Key = tuple[str, uuid.UUID, dt.datetime, tuple[uuid.UUID, ...]]


class TimelineCache:
    """Timelines by (sanction, its event, its recording time, its known changes' events).
    Safe to share between threads: a lookup and an insert are each one dict operation."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._timelines: dict[Key, SanctionTimeline] = {}

    def timeline(self, sanction: Row) -> SanctionTimeline:
        """The timeline of a row of `sanction_repository.sanction_rows` (its `changes`)."""
        changes = sanction["changes"]
        key = (
            sanction["sanction_id"],
            sanction["event_id"],
            sanction["recorded_at"],
            tuple(c["event_id"] for c in changes),
        )
        timelines = self._timelines  # one dict throughout, whatever `clear` does meanwhile
        known = timelines.get(key)
        if known is None:
            known = timeline_of(sanction, [change_of(c) for c in changes])
            if len(timelines) >= self._limit:
                timelines.clear()
            timelines[key] = known
        return known

    def clear(self) -> None:
        """Forgets every timeline (a rebuild committed). A new dict, not the old one
        emptied: a screen in a worker thread finishes with the one it started with."""
        self._timelines = {}
