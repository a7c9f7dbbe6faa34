"""Reading the event store partition by partition, like Kafka topics: a reader's cursor, the
next events after it that its judge has accepted (`read_after`), and the events of stored rows
(`events_at`); a row this version cannot read, or one no append wrote, stops its readers."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import EMITTED_TYPES, ENVELOPES
from services.platform.eventstore import chain, parsed_events
from services.platform.off_the_loop import for_batch
from services.platform.postgres.database import Connection


@dataclass(frozen=True)
class Cursor:
    """How far a reader has got: the seq of the last event read, per partition.

    Positions are global but commit out of order across partitions; seqs commit in order
    within theirs (appends hold the partition's head), so a reader following seqs never
    skips an event that was still being written when it looked.
    """

    seqs: tuple[int, ...] = (0,) * chain.PARTITIONS

    @classmethod
    def of(cls, seqs: Mapping[int, int]) -> Cursor:
        return cls(tuple(seqs.get(p, 0) for p in range(chain.PARTITIONS)))

    def past(self, passed: Iterable[tuple[int, int]]) -> Cursor:
        """Advanced past these (partition, seq) pairs."""
        seqs = list(self.seqs)
        for partition, seq in passed:
            seqs[partition] = max(seqs[partition], seq)
        return Cursor(tuple(seqs))


@dataclass(frozen=True)
class Read:
    """What a reader may apply, and the cursor past everything it has now seen (events the
    judge refused included: they are passed, never applied)."""

    events: list[EventEnvelope]
    cursor: Cursor
    # The stored events it passed, refused ones included: a replay's count of what it read
    # (a cursor's seqs also count the seqs of rows no longer there).
    passed: int


async def heads(conn: Connection) -> Cursor:
    """The cursor past everything stored so far."""
    rows = await conn.fetch("SELECT partition, seq FROM event_chain_heads")
    return Cursor.of({r["partition"]: r["seq"] for r in rows})


# A seq no partition reaches: `read_after` without a bound.
_NO_END = 2**63 - 1


async def read_after(
    conn: Connection,
    cursor: Cursor,
    limit: int,
    *,
    judged_by: str | None = None,
    through: Cursor | None = None,
    types: Collection[str] | None = None,
) -> Read:
    """The next events after `cursor` (at most `limit`, in log order), each partition in order,
    and none past `through` (a replay reading what the next part of a recorded order needs).
    `types`: the event types the reader applies; it passes the other types this version
    knows by without their texts read or parsed (what a consumer that applies one event in
    two would otherwise do for each event of the log it does not hold parsed). A type this
    version does not know is read as any event, so that its reader stops there
    (`UnreadableStoredEvent`) rather than pass by what a newer version may have it apply.

    With `judged_by` (the service that gives the verdict), an input event is returned only
    once that service has accepted it: a partition stops before its first input event not yet
    judged, and refused ones are passed over (ARCHITECTURE.md, "One verdict per event").
    Emitted events need no verdict. The verdict is read from the judge's ledger, so this
    holds in both modes, live and in a rebuild.
    """
    # Each partition offers its next `limit` events (seqs are dense, so a range: bounded work
    # whatever the backlog and the planner's statistics); the first `limit` of them all in
    # log order are kept, a prefix of each partition. The range's own ORDER BY and LIMIT keep
    # it a range scan of each partition: without them the planner merged the partitions by
    # walking the whole store in position order from its start, filtering, so that a read
    # 90,000 events into the log took 99 ms rather than 13, and grew with the log
    # (tests/benchmarks/HISTORY.md, 2026-12-05). Only those are looked up in the judge's
    # ledger (one by one on its key: LIMIT 1 keeps the planner from a join over the whole
    # ledger while a fast-filling table's statistics lag). The events passed on come by
    # content hash: those this process holds parsed (parsed_events.py) need no text.
    # Each partition's head comes along (six rows, one probe each, in the read's snapshot):
    # an append writes its rows and moves the head in one transaction, so a row past the
    # head is none an append wrote (`UnappendedStoredRow`).
    rows = await conn.fetch(
        """WITH offered AS (
               SELECT s.position, s.partition, s.seq, s.event_id, s.event_type, s.content_hash,
                      coalesce(h.seq, 0) AS head
               FROM unnest($1::smallint[], $2::bigint[], $6::bigint[])
                   AS c(partition, after, through)
               LEFT JOIN event_chain_heads h ON h.partition = c.partition
               CROSS JOIN LATERAL (
                   SELECT position, partition, seq, event_id, event_type, content_hash
                   FROM event_store
                   WHERE partition = c.partition AND seq > c.after
                     AND seq <= least(c.after + $3, c.through)
                   ORDER BY seq LIMIT $3
               ) AS s
               ORDER BY s.position LIMIT $3
           ), judged AS (
               SELECT o.position, o.partition, o.seq, o.event_id, o.event_type,
                      o.content_hash, o.head, coalesce(p.refused, false) AS refused,
                      bool_or(o.event_type <> ALL($5::text[]) AND p.event_id IS NULL)
                          OVER (PARTITION BY o.partition ORDER BY o.seq) AS waiting
               FROM offered o
               LEFT JOIN LATERAL (
                   SELECT p.event_id, p.refused FROM processed_events p
                   WHERE p.consumer = $4 AND p.event_id = o.event_id LIMIT 1
               ) AS p ON true
           )
           SELECT partition, seq, event_id, event_type, refused, content_hash, head
           FROM judged
           WHERE $4::text IS NULL OR NOT waiting
           ORDER BY position""",
        list(range(chain.PARTITIONS)),
        list(cursor.seqs),
        limit,
        judged_by,
        sorted(EMITTED_TYPES),
        list(through.seqs) if through is not None else [_NO_END] * chain.PARTITIONS,
    )
    if past := next((r for r in rows if r["seq"] > r["head"]), None):
        raise UnappendedStoredRow(past["partition"], past["seq"], past["event_id"], past["head"])
    wanted = [
        r
        for r in rows
        if not r["refused"]
        and (types is None or r["event_type"] in types or r["event_type"] not in ENVELOPES)
    ]
    return Read(
        await events_at(conn, wanted),
        cursor.past((r["partition"], r["seq"]) for r in rows),
        len(rows),
    )


class UnreadableStoredEvent(Exception):
    """A stored event this version cannot read. Its readers stop there and retry, skipping
    nothing (the log of record holds it): a newer version wrote it, and this process must be
    upgraded, or the row was edited, which `vendorwatch verify` names."""

    def __init__(self, partition: int, seq: int, reason: str) -> None:
        # The advice before the reason: a liveness keeps an error's first 300 characters,
        # and an unknown type's reason lists every known one.
        super().__init__(
            f"the stored event at partition {partition}, seq {seq} cannot be read by this"
            " version: if a newer version wrote it, upgrade this process; `vendorwatch"
            f" verify` checks the log for edits. Why: {reason}"
        )


class UnappendedStoredRow(UnreadableStoredEvent):
    """A row past its partition's head: no append wrote it (one moves the head with its rows),
    so it was inserted by hand. Its readers stop there as at an unreadable one, applying it
    to nothing, rather than take it for an event the log recorded; read past, it also left
    their offsets past the head, which they read again from for ever (`embedded._rewound`)."""

    def __init__(self, partition: int, seq: int, event_id: object, head: int) -> None:
        Exception.__init__(
            self,
            f"the stored row at partition {partition}, seq {seq} (event {event_id}) is past"
            f" the partition's head (seq {head}): no append wrote it, it was inserted by hand;"
            " nothing is applied until it is removed. `vendorwatch verify` names it",
        )


async def events_at(conn: Connection, rows: Sequence[asyncpg.Record]) -> list[EventEnvelope]:
    """The events of these stored rows (partition, seq, content_hash), in their order: as this
    process holds them parsed, the others' texts read (jsonb, turned into text) and parsed
    (`UnreadableStoredEvent` for one this version cannot read)."""
    events = parsed_events.known([r["content_hash"] for r in rows])
    if missing := [i for i, event in enumerate(events) if event is None]:
        # Each text by its key (LIMIT 1 keeps it a lookup): as a join, the planner hashed the
        # whole store for a few hundred rows while it held some tens of thousands.
        texts = await conn.fetch(
            """SELECT s.envelope::text AS envelope
               FROM unnest($1::smallint[], $2::bigint[]) WITH ORDINALITY AS k(partition, seq, n)
               CROSS JOIN LATERAL (
                   SELECT envelope FROM event_store
                   WHERE partition = k.partition AND seq = k.seq LIMIT 1
               ) AS s
               ORDER BY k.n""",
            [rows[i]["partition"] for i in missing],
            [rows[i]["seq"] for i in missing],
        )
        try:
            fresh = await for_batch(
                parsed_events.parse,
                [
                    (rows[i]["content_hash"], t["envelope"])
                    for i, t in zip(missing, texts, strict=True)
                ],
            )
        except parsed_events.Unreadable as unreadable:
            row = rows[missing[unreadable.index]]
            raise UnreadableStoredEvent(row["partition"], row["seq"], unreadable.reason) from None
        for i, event in zip(missing, fresh, strict=True):
            events[i] = event
    return [event for event in events if event is not None]
