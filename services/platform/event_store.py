"""The append-only event store in PostgreSQL: the record of every accepted event, in
partitions that are hash chains (chain.py), read partition by partition like Kafka topics."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform import chain
from services.platform.database import Connection

NOTIFY_CHANNEL = "vendorwatch_events"

_COLUMNS = (
    "event_id",
    "event_type",
    "vendor_id",
    "occurred_at",
    "envelope",
    "content_hash",
    "partition",
    "seq",
    "chain_hash",
)


class AppendOutcome(enum.Enum):
    STORED = "stored"
    DUPLICATE = "duplicate"  # the same event_id with the same content: already applied
    CONFLICT = "conflict"  # the same event_id with other content: refused


def canonical_json(envelope: EventEnvelope) -> str:
    # Events from other producers carry no recorded_by: leaving the key out keeps their JSON
    # (and content hash) exactly as before it existed.
    if envelope.recorded_by is None:
        return envelope.model_dump_json(exclude={"recorded_by"})
    return envelope.model_dump_json()


def content_hash(envelope: EventEnvelope) -> str:
    return chain.content_hash(canonical_json(envelope))


async def append_batch(conn: Connection, envelopes: Sequence[EventEnvelope]) -> list[AppendOutcome]:
    """Stores, chained in order, the events whose ids are new; one outcome per envelope.

    Call inside a transaction. A fixed number of statements whatever the batch's size; the
    heads of the partitions written are locked (in partition order, so concurrent appends
    cannot deadlock) until commit, and only those: other partitions' writers go on. An event
    id is checked under its partition's lock, so two writers of one id cannot both store it.
    """
    canonical = [canonical_json(e) for e in envelopes]
    digests = [chain.content_hash(c) for c in canonical]
    partitions = [chain.partition_of(e.vendor_id) for e in envelopes]
    heads = {
        r["partition"]: (r["seq"], r["chain_hash"])
        for r in await conn.fetch(
            "SELECT partition, seq, chain_hash FROM event_chain_heads"
            " WHERE partition = ANY($1::smallint[]) ORDER BY partition FOR UPDATE",
            sorted(set(partitions)),
        )
    }
    known: dict[object, str] = {
        r["event_id"]: r["content_hash"]
        for r in await conn.fetch(
            "SELECT event_id, content_hash FROM event_store WHERE event_id = ANY($1::uuid[])",
            [e.event_id for e in envelopes],
        )
    }
    outcomes: list[AppendOutcome] = []
    rows: list[tuple[object, ...]] = []
    for envelope, text, digest, partition in zip(
        envelopes, canonical, digests, partitions, strict=True
    ):
        existing = known.get(envelope.event_id)
        if existing is not None:
            same = existing == digest
            outcomes.append(AppendOutcome.DUPLICATE if same else AppendOutcome.CONFLICT)
            continue
        known[envelope.event_id] = digest
        seq, previous = heads[partition]
        seq += 1
        link = chain.link(partition, seq, previous, digest)
        heads[partition] = (seq, link)
        rows.append(
            (
                envelope.event_id,
                envelope.event_type,
                envelope.vendor_id,
                envelope.occurred_at,
                text,
                digest,
                partition,
                seq,
                link,
            )
        )
        outcomes.append(AppendOutcome.STORED)
    if rows:
        await conn.copy_records_to_table("event_store", records=rows, columns=_COLUMNS)
        await conn.execute(
            """UPDATE event_chain_heads h SET seq = v.seq, chain_hash = v.link
               FROM unnest($1::smallint[], $2::bigint[], $3::text[]) AS v(partition, seq, link)
               WHERE h.partition = v.partition""",
            list(heads),
            [seq for seq, _ in heads.values()],
            [link for _, link in heads.values()],
        )
        # Delivered at commit; embedded consumers wake up instead of waiting for their next poll.
        await conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
    return outcomes


@dataclass(frozen=True)
class StoredEvent:
    position: int
    partition: int
    seq: int
    envelope: EventEnvelope


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

    def past(self, events: Sequence[StoredEvent]) -> Cursor:
        seqs = list(self.seqs)
        for event in events:
            seqs[event.partition] = max(seqs[event.partition], event.seq)
        return Cursor(tuple(seqs))


async def heads(conn: Connection) -> Cursor:
    """The cursor past everything stored so far."""
    rows = await conn.fetch("SELECT partition, seq FROM event_chain_heads")
    return Cursor.of({r["partition"]: r["seq"] for r in rows})


async def read_after(
    conn: Connection,
    cursor: Cursor,
    limit: int,
    *,
    up_to: Cursor | None = None,
    without_refusals_of: str | None = None,
) -> list[StoredEvent]:
    """The next events after `cursor` (at most `limit`, in log order), each partition in order.

    `up_to` stops each partition at that cursor (another consumer's progress), and
    `without_refusals_of` leaves out what that consumer refused: together, what a service
    downstream of the registry may see (ARCHITECTURE.md, "One verdict per event").
    """
    rows = await conn.fetch(
        """SELECT e.position, e.partition, e.seq, e.envelope FROM
               unnest($1::smallint[], $2::bigint[], $3::bigint[]) AS c(partition, after, up_to)
           CROSS JOIN LATERAL (
               SELECT position, partition, seq, envelope::text AS envelope FROM event_store s
               WHERE s.partition = c.partition AND s.seq > c.after AND s.seq <= c.up_to
                 AND ($5::text IS NULL OR NOT EXISTS (
                     SELECT 1 FROM processed_events p
                     WHERE p.consumer = $5 AND p.event_id = s.event_id AND p.refused))
               ORDER BY s.seq LIMIT $4) AS e
           ORDER BY e.position LIMIT $4""",
        list(range(chain.PARTITIONS)),
        list(cursor.seqs),
        list(up_to.seqs) if up_to is not None else [2**62] * chain.PARTITIONS,
        limit,
        without_refusals_of,
    )
    return [
        StoredEvent(r["position"], r["partition"], r["seq"], parse_event(r["envelope"]))
        for r in rows
    ]
