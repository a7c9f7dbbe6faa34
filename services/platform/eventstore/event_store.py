"""The append-only event store in PostgreSQL: the record of every accepted event, in
partitions that are hash chains (chain.py), appended to here and read partition by partition
like Kafka topics (event_reads.py)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from services.events.base import API_SOURCE, EventEnvelope
from services.platform.eventstore import chain, parsed_events
from services.platform.postgres.database import Connection

NOTIFY_CHANNEL = "vendorwatch_events"

# The service that owns the rules of vendors, sanctions and records, and so gives every input
# event its verdict before any other service sees it (ARCHITECTURE.md, "One verdict"): it
# claims every input event, which `verify` holds its ledger to (ledger_checks.py).
VERDICT_FROM = "registry"

_COLUMNS = (
    "event_id",
    "event_type",
    "vendor_id",
    "occurred_at",
    "recorded_at",
    "envelope",
    "content_hash",
    "partition",
    "seq",
    "chain_hash",
    "chain_version",
)


class AppendOutcome(enum.Enum):
    """An event not stored (a stored one's outcome is its `Place`)."""

    # The same event_id with the same content, or recorded through the API once more from
    # another address (`recorded_apart`): already applied, the first copy stands.
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"  # the same event_id with other content: refused


@dataclass(frozen=True)
class Place:
    """Where the store put an event: its partition, and its seq there."""

    partition: int
    seq: int


def canonical_json(envelope: EventEnvelope) -> str:
    # Events from other producers carry no recorded_by: leaving the key out keeps their JSON
    # (and content hash) exactly as before it existed.
    if envelope.recorded_by is None:
        return envelope.model_dump_json(exclude={"recorded_by"})
    return envelope.model_dump_json()


def content_hash(envelope: EventEnvelope) -> str:
    return chain.content_hash(canonical_json(envelope))


async def append_batch(
    conn: Connection,
    envelopes: Sequence[EventEnvelope],
    *,
    notice: str = "",
    texts: Sequence[str] | None = None,
) -> list[Place | AppendOutcome]:
    """Stores, chained in order, the events whose ids are new; one outcome per envelope: where
    it was stored, or why not. `notice`: the payload of the NOTIFY its commit sends (readers in
    the appending process tell their own appends by it); `texts`: the envelopes'
    `canonical_json`, when the caller made it already (ingest, off the event loop).

    Call inside a transaction. A fixed number of statements whatever the batch's size; the
    heads of the partitions written are locked (in partition order, so concurrent appends
    cannot deadlock) until commit, and only those: other partitions' writers go on. An event
    id is checked under its partition's lock, so two writers of one id cannot both store it.
    """
    if not envelopes:
        return []  # no head to lock, nor a time to take from it
    canonical = list(texts) if texts is not None else [canonical_json(e) for e in envelopes]
    digests = [chain.content_hash(c) for c in canonical]
    partitions = [chain.partition_of(e.vendor_id) for e in envelopes]
    locked = await conn.fetch(
        "SELECT partition, seq, chain_hash, now() AS recorded_at FROM event_chain_heads"
        " WHERE partition = ANY($1::smallint[]) ORDER BY partition FOR UPDATE",
        sorted(set(partitions)),
    )
    heads = {r["partition"]: (r["seq"], r["chain_hash"]) for r in locked}
    # When the log records the batch: the transaction's start, as the column's default
    # gives, written explicitly because the link covers it (in the one form it hashes).
    recorded_at = locked[0]["recorded_at"]
    micros = chain.recorded_micros(recorded_at)
    known: dict[object, str] = {
        r["event_id"]: r["content_hash"]
        for r in await conn.fetch(
            "SELECT event_id, content_hash FROM event_store WHERE event_id = ANY($1::uuid[])",
            [e.event_id for e in envelopes],
        )
    }
    stored_before = set(known)
    outcomes: list[Place | AppendOutcome] = []
    rows: list[tuple[object, ...]] = []
    kept: list[tuple[str, EventEnvelope]] = []  # the stored ones' content hashes and events
    batch: dict[object, EventEnvelope] = {}  # the first of each id in this batch
    for envelope, text, digest, partition in zip(
        envelopes, canonical, digests, partitions, strict=True
    ):
        existing = known.get(envelope.event_id)
        if existing is not None:
            if existing == digest:
                outcomes.append(AppendOutcome.DUPLICATE)
            elif envelope.event_id in batch:
                same = recorded_apart(batch[envelope.event_id], envelope)
                outcomes.append(AppendOutcome.DUPLICATE if same else AppendOutcome.CONFLICT)
            else:
                outcomes.append(AppendOutcome.CONFLICT)
            continue
        known[envelope.event_id] = digest
        batch[envelope.event_id] = envelope
        seq, previous = heads[partition]
        seq += 1
        link = chain.link(partition, seq, previous, digest, micros)
        heads[partition] = (seq, link)
        rows.append(
            (
                envelope.event_id,
                envelope.event_type,
                envelope.vendor_id,
                envelope.occurred_at,
                recorded_at,
                text,
                digest,
                partition,
                seq,
                link,
                chain.VERSION,
            )
        )
        kept.append((digest, envelope))
        outcomes.append(Place(partition, seq))
    if conflicts := [
        n
        for n, outcome in enumerate(outcomes)
        if outcome is AppendOutcome.CONFLICT and envelopes[n].event_id in stored_before
    ]:
        for n in await _stored_apart(conn, [(n, canonical[n]) for n in conflicts]):
            outcomes[n] = AppendOutcome.DUPLICATE
    if rows:
        await conn.copy_records_to_table("event_store", records=rows, columns=_COLUMNS)
        # Readers in this process (embedded mode) take these as parsed, not from their text.
        parsed_events.appended(kept)
        # The notice is delivered at commit: embedded readers wake instead of waiting for their
        # next poll. Sent by the heads' update, one round trip less on a live update's path.
        await conn.execute(
            """WITH moved AS (
                   UPDATE event_chain_heads h SET seq = v.seq, chain_hash = v.link
                   FROM unnest($1::smallint[], $2::bigint[], $3::text[])
                       AS v(partition, seq, link)
                   WHERE h.partition = v.partition)
               SELECT pg_notify($4, $5)""",
            list(heads),
            [seq for seq, _ in heads.values()],
            [link for _, link in heads.values()],
            NOTIFY_CHANNEL,
            notice,
        )
    return outcomes


def recorded_apart(first: EventEnvelope, again: EventEnvelope) -> bool:
    """Whether `again` is `first` recorded through the API once more, from another address or
    with a renewed token: both recorded through it, and alike but for `recorded_by`, and for
    `occurred_at` when both are the API's own (a mutation retried under its idempotency key
    is stamped at each request). (A producer's copy and the API's are two events: only the
    API's says who decided.)"""
    if first.recorded_by is None or again.recorded_by is None:
        return False
    unrecorded: dict[str, Any] = {"recorded_by": None}
    if first.source == again.source == API_SOURCE:
        unrecorded["occurred_at"] = first.occurred_at
    return canonical_json(first.model_copy(update=unrecorded)) == canonical_json(
        again.model_copy(update=unrecorded)
    )


async def _stored_apart(conn: Connection, sent: Sequence[tuple[int, str]]) -> list[int]:
    """Of these (index, canonical JSON) of events whose ids the store holds for other content,
    those `recorded_apart` from the stored event, compared as jsonb: the first copy stands."""
    rows = await conn.fetch(
        """SELECT k.n FROM unnest($1::int[], $2::jsonb[]) AS k(n, envelope)
           JOIN event_store s ON s.event_id = (k.envelope->>'event_id')::uuid
           WHERE s.envelope ? 'recorded_by' AND k.envelope ? 'recorded_by'
             AND (s.envelope - 'recorded_by' = k.envelope - 'recorded_by'
                  OR s.envelope->>'source' = $3 AND k.envelope->>'source' = $3
                     AND s.envelope - 'recorded_by' - 'occurred_at'
                         = k.envelope - 'recorded_by' - 'occurred_at')""",
        [n for n, _ in sent],
        [text for _, text in sent],
        API_SOURCE,
    )
    return [r["n"] for r in rows]
