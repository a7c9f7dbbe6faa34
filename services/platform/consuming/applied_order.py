"""A replay in the order live processing applied the log, where that order is part of the result.

The log is ordered within each partition; across partitions, live consumers apply events in
the order their appends committed (concurrent ingest transactions), or as Kafka interleaves
the partitions (distributed mode), not in the store's position order. A projection whose state
is per vendor comes out the same in any interleaving that keeps each partition's order. One
that keeps a total across vendors does not: risk's history rows keep the agencies' totals of
critical contracts as applied so far, so a replay in position order could give a row another
total than the live one (a concentration of 2/4 live, 2/3 replayed).

Such a projection records the order it applied events in (risk: `risk_events.seq`), and its
replay reads the log in that order, a recorded decision like the planner's versions: every
event it recorded comes in the recorded order, and each other event (one it does not take,
one its judge refused, one it had not reached) just before the next recorded event of its
partition, or, past the last of them, in position order. Each partition stays in its order,
so the consumers' offsets (a seq per partition) mean what they mean live. A recorded order
that breaks a partition's order (an edited table) is not used: the replay reads in position
order and says so in the log.

The order is read from the projection's tables as committed: its rebuild has emptied them
in a transaction of its own, not committed until the replay is over (rebuilding.py).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg

from services.events.catalog import EMITTED_TYPES
from services.platform.eventstore.event_store import Cursor, Read, events_at
from services.platform.postgres.database import Connection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppliedOrder:
    """How a projection recorded the order it applied events in: a query giving each event
    it applied (`event_id`) with its place in that order (`rank`, increasing)."""

    projection: str
    query: str


# Events of the recorded order that come before an event of their own partition they follow:
# the order cannot be the one live processing applied.
_OUT_OF_PARTITION_ORDER = """
    SELECT count(*) FROM (
        SELECT o.rank < max(o.rank) OVER (
                   PARTITION BY s.partition ORDER BY s.seq
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS back
        FROM ({query}) AS o(event_id, rank)
        JOIN event_store s ON s.event_id = o.event_id
    ) AS recorded
    WHERE back"""

# The log in the recorded order. `slot`: an event's own rank if recorded, else the rank of the
# next recorded event of its partition (the least rank at or after its seq, since ranks grow
# with seqs), else none (after every recorded event). With a judge (`$1`), each partition
# stops before its first input event not judged yet, as `event_store.read_after` reads.
_IN_ORDER = """
    WITH recorded AS (
        SELECT s.partition, s.seq, o.rank
        FROM ({query}) AS o(event_id, rank)
        JOIN event_store s ON s.event_id = o.event_id
    ), logged AS (
        SELECT s.position, s.partition, s.seq, s.content_hash, r.rank,
               coalesce(p.refused, false) AS refused,
               bool_or(s.event_type <> ALL($2::text[]) AND p.event_id IS NULL)
                   OVER (PARTITION BY s.partition ORDER BY s.seq) AS waiting
        FROM event_store s
        LEFT JOIN recorded r USING (partition, seq)
        LEFT JOIN processed_events p ON p.consumer = $1 AND p.event_id = s.event_id
    ), taken AS (
        SELECT *, min(rank) OVER (PARTITION BY partition ORDER BY seq DESC) AS slot
        FROM logged
        WHERE $1::text IS NULL OR NOT waiting
    )
    SELECT partition, seq, refused, content_hash FROM taken
    ORDER BY slot NULLS LAST, position"""


class RecordedPages:
    """The log read a page at a time in a recorded order, on one connection, in one snapshot."""

    def __init__(self, conn: Connection, rows: asyncpg.cursor.Cursor) -> None:
        self._conn = conn
        self._rows = rows

    @classmethod
    @contextlib.asynccontextmanager
    async def opened(
        cls, conn: Connection, order: AppliedOrder, *, judged_by: str | None
    ) -> AsyncIterator[RecordedPages | None]:
        """The pages of the log in `order` (None when the order breaks a partition's), read
        in one snapshot of the store; `judged_by` as `event_store.read_after` takes it."""
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            broken = await conn.fetchval(_OUT_OF_PARTITION_ORDER.format(query=order.query))
            if broken:
                log.warning(
                    "%s's recorded order puts %d events before events of their own partition"
                    " they follow; replaying in the log's position order instead",
                    order.projection,
                    broken,
                )
                yield None
                return
            rows = await conn.cursor(
                _IN_ORDER.format(query=order.query), judged_by, sorted(EMITTED_TYPES)
            )
            yield cls(conn, rows)

    async def next(self, cursor: Cursor, limit: int) -> Read:
        """The next `limit` events at most (those the judge refused passed over), and
        `cursor` past them; a read that does not move the cursor is the end."""
        rows = await self._rows.fetch(limit)
        return Read(
            await events_at(self._conn, [r for r in rows if not r["refused"]]),
            cursor.past((r["partition"], r["seq"]) for r in rows),
        )
