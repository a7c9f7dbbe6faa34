"""A replay's stage applying the log in the order its live processing applied it, where that
order is part of its result.

The log is ordered within each partition; across partitions, live consumers apply events in
the order their appends committed (concurrent ingest transactions), or as Kafka interleaves
the partitions (distributed mode), not in the store's position order. A projection whose state
is per vendor comes out the same in any interleaving that keeps each partition's order. Two
do not: the registry's verdicts (a registration is refused when another vendor holds its
identifier, so which of two is refused depends on which came first), and risk's history
rows, which keep the agencies' totals of critical contracts as applied so far (a
concentration of 2/4 live, 2/3 replayed in position order).

Such a projection records the order it applied events in (the registry: `claim_order`,
written with its claims; risk: `risk_events.seq`), and its stage of a replay applies them in
it, a recorded decision like the planner's versions. The log is read in position order, so
the stage reorders what it is handed (`Reordering`): every event it had recorded comes in
the recorded order, each other event it takes (one it had not reached, or judged otherwise
before; the judge's emitted events, which it hands on unjudged) with the next recorded event
of its partition, or, past the last of them, in the order it came. Each partition stays in
its order whatever the record says (an edited table is only logged). Events wait in memory
until their turn. The reader, paced by the record of the stage it feeds (`ReadingPace`),
reads no further ahead than the record's next part needs, so that stage holds at most what
one part spans (its events and those the record does not name between them); a stage
behind it holds what its order and the one before differ by (a few in embedded mode, more in
distributed mode, where each service's consumers went through the partitions at their own
pace). A judge reordered hands its followers the cursor up to which it has given out
everything (`given_through`), so that a follower takes an event missing up to there for
refused, never for held back.

The order is read from the projection's tables as committed: its rebuild has emptied them in
a transaction of its own, not committed until the replay is over (rebuilding.py). It is the
order of one consumer applying batches one after the other; with several workers of one
service applying at once, each read what the others had committed (identifiers held, totals),
which no sequential replay repeats.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass

import asyncpg

from services.events.base import EventEnvelope
from services.platform.eventstore import chain
from services.platform.eventstore.event_reads import Cursor
from services.platform.postgres.database import Connection
from services.platform.wording import plural

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppliedOrder:
    """How a projection recorded the order it applied events in: a query giving each event
    it applied (`event_id`) with its place in that order (`rank`, increasing)."""

    projection: str
    query: str


@dataclass(frozen=True)
class Recorded:
    """An event of the recorded order, and where the log holds it."""

    event_id: uuid.UUID
    partition: int
    seq: int


class RecordedOrder:
    """The recorded order read a part at a time, on one connection, in one snapshot."""

    def __init__(self, rows: asyncpg.cursor.Cursor) -> None:
        self._rows = rows

    @classmethod
    @contextlib.asynccontextmanager
    async def opened(cls, conn: Connection, order: AppliedOrder) -> AsyncIterator[RecordedOrder]:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            yield cls(
                await conn.cursor(
                    f"""SELECT o.event_id, s.partition, s.seq
                        FROM ({order.query}) AS o(event_id, rank)
                        JOIN event_store s ON s.event_id = o.event_id
                        ORDER BY o.rank"""
                )
            )

    async def next(self, limit: int) -> list[Recorded]:
        """The next `limit` at most; none at the end."""
        return [Recorded(*r) for r in await self._rows.fetch(limit)]


class Reordering:
    """Events handed in log order, each partition in its order, given out in a recorded order
    (pure: the caller feeds it the reads it is handed and the record's parts)."""

    def __init__(self, projection: str, taken: Collection[str] | None = None) -> None:
        self._projection = projection
        # The event types the projection applies, others passed; None: every event (a
        # judge's, which hands on what it does not judge in its partition's order).
        self._taken = taken
        self._recorded: deque[Recorded] = deque()
        self._record_read = False  # every part of the record has been given
        self._input_over = False
        self._passed = Cursor()  # how far what it is handed has got (the judge's, the reader's)
        self._waiting: dict[int, deque[tuple[int, EventEnvelope]]] = defaultdict(deque)
        self._where: dict[uuid.UUID, int] = {}  # a waiting event's partition
        self._arrivals = 0
        self._last_recorded: dict[int, int] = {}  # the seq of each partition's last recorded
        self._out_of_order = 0
        # Per partition, the seq up to which every event has been given out, as far as the
        # recorded events given out tell (those waiting carry no seq).
        self._given_through: list[int] = [0] * chain.PARTITIONS

    def wants_record(self) -> bool:
        """Whether it needs the next part of the record to give out more."""
        return not self._recorded and not self._record_read

    def record(self, part: Sequence[Recorded]) -> None:
        """The next part of the record; an empty one is its end."""
        if not part:
            self._record_read = True
            if self._out_of_order:
                log.warning(
                    "%s's recorded order put %s after later events of their own"
                    " partition; they were replayed in their partition's order",
                    self._projection,
                    plural(self._out_of_order, "event"),
                )
        for entry in part:
            if entry.seq <= self._last_recorded.get(entry.partition, 0):
                self._out_of_order += 1
            self._last_recorded[entry.partition] = entry.seq
        self._recorded.extend(part)

    def arrive(self, events: Sequence[EventEnvelope], cursor: Cursor) -> None:
        """What the stage before handed on (the reader or the judge, each partition in its
        order), and the cursor up to which it has handed on everything it will."""
        for event in events:
            taken = self._taken is None or event.event_type in self._taken
            if taken and event.event_id not in self._where:
                partition = chain.partition_of(event.vendor_id)
                self._waiting[partition].append((self._arrivals, event))
                self._where[event.event_id] = partition
                self._arrivals += 1
        self._passed = cursor

    def end(self) -> None:
        """Nothing more will arrive: a recorded event that did not is not given."""
        self._input_over = True

    def ready(self) -> list[EventEnvelope]:
        """The events whose turn has come, in order."""
        given: list[EventEnvelope] = []
        while self._recorded:
            entry = self._recorded[0]
            if entry.event_id in self._where:
                partition = self._where[entry.event_id]
                given += self._through(partition, entry.event_id)
                if partition == entry.partition:  # else its stored vendor was edited
                    seq = max(self._given_through[partition], entry.seq)
                    self._given_through[partition] = seq
            elif not self._input_over and self._passed.seqs[entry.partition] < entry.seq:
                break  # not handed on yet: it may come
            # else not handed on (refused now), or given already out of order
            self._recorded.popleft()
        if self._record_read and not self._recorded:
            given += self._in_arrival_order()
        return given

    @property
    def waiting(self) -> int:
        """How many events it holds for their turn (its memory)."""
        return len(self._where)

    def given_through(self) -> Cursor:
        """How far everything has been given out: per partition, the cursor handed where
        nothing waits, else the last recorded event given out. Where a stage reorders what
        the next stage is handed, this is the cursor it hands on: an event the next stage
        recorded and was not handed up to there was refused, not merely held back."""
        for partition, passed in enumerate(self._passed.seqs):
            if not self._waiting[partition]:
                self._given_through[partition] = passed
        return Cursor(tuple(self._given_through))

    def _through(self, partition: int, event_id: uuid.UUID) -> list[EventEnvelope]:
        """The partition's waiting events up to this one: those before it come before it."""
        queue, given = self._waiting[partition], []
        while True:
            _, event = queue.popleft()
            del self._where[event.event_id]
            given.append(event)
            if event.event_id == event_id:
                return given

    def _in_arrival_order(self) -> list[EventEnvelope]:
        waiting = sorted(
            (item for queue in self._waiting.values() for item in queue), key=lambda item: item[0]
        )
        self._waiting.clear()
        self._where.clear()
        return [event for _, event in waiting]


class ReadingPace:
    """How far a replay's reader may read, so that the stage it feeds, reordering what it
    reads in a recorded order, holds few events for their turn (pure: the caller feeds it
    the record's parts as it asks).

    Read in position order, a record that applied one partition's backlog before another's
    (Kafka may hand a consumer one partition's thousands first) would leave the stage holding
    the other's, up to a backlog's worth. Paced, the reader reads each partition only up to
    the last event the record's next part names in it: what it reads is that part and the
    events between (those the record does not name: emitted events, refusals passed over), all
    given out once the part's turn comes. Past the record's end, it reads freely."""

    def __init__(self) -> None:
        self.through: Cursor | None = None  # the bound of the next read; None: none
        self._over = False

    def wants_record(self, cursor: Cursor) -> bool:
        """Whether the reader, at `cursor`, needs the record's next part to read on."""
        return not self._over and (
            self.through is None
            or all(at >= bound for at, bound in zip(cursor.seqs, self.through.seqs, strict=True))
        )

    def record(self, part: Sequence[Recorded]) -> None:
        """The record's next part; an empty one is its end."""
        if not part:
            self.stop()
        else:
            self.through = (self.through or Cursor()).past((e.partition, e.seq) for e in part)

    def stop(self) -> None:
        """Reads freely from now on (the record is over, or what it names cannot be read
        yet: its bound would stall the reader)."""
        self._over, self.through = True, None
