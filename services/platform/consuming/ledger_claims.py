"""A batch's claims in a consumer's processed-event ledger (`processed_events`), its offsets
and its recorded order, in one statement (consumer.py applies the batch around them): what
makes each event's effect happen once, whatever the log redelivers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from services.events.base import EventEnvelope
from services.platform.eventstore import chain, order_seals
from services.platform.eventstore.event_reads import Cursor
from services.platform.postgres.database import Connection

# The claims' recorded order, numbered and sealed in the claim's statement (order_seals.py):
# $1 the consumer, $2 the batch's events, $5 whether it records its order, $7 their partitions.
_SEALED_CLAIMS = order_seals.sealing(
    consumer="$1::text",
    events="$2::uuid[]",
    partitions="$7::smallint[]",
    seqs="claim_order_seq_seq",
    recording="$5",
    among="t.event_id IN (SELECT event_id FROM claimed)",
)


async def claim(
    conn: Connection,
    consumer: str,
    records_order: bool,
    judge: str | None,
    taken: Sequence[EventEnvelope],
    save_cursor: Cursor | None,
    measure: bool,
) -> dict[uuid.UUID, datetime | None]:
    """Claims the events in `consumer`'s ledger (and, when it `records_order`, in the
    order of `taken`, the order they are applied in) and saves the cursor, in one statement
    (a batch is a transaction: where in it the offsets are written changes nothing, and a
    round trip less is a live update's few milliseconds sooner); returns the events claimed
    now, each with when the store appended it (`measure`: for the append-to-applied metric),
    else None.

    The recorded order is sealed in the same statement (eventstore/order_seals.py): the
    batch's claims in each partition are a block, sealed after the one before it, whose
    head (`claim_order_heads`) the statement locks until the batch commits, as an append
    locks its partitions' heads. Batches of other partitions (a distributed worker's
    replicas) go on; two of one partition take turns from their claims on.

    A consumer that waits for a `judge`'s verdict claims nothing its judge's ledger refuses,
    as it stands under the batch's lock: what brought the event counts for nothing then. In
    distributed mode `facts` still holds what the judge passed on before a rebuild that now
    refuses it, and a follower behind on the topic reached it after the rebuild's commit
    (embedded mode's reader passes over refused events already: the same verdict). None:
    the consumer judges, or its judge's stage of the same rebuild handed it the events (the
    ledger as committed is the one that rebuild replaces)."""
    # Once each: the same event twice in a batch is applied once, at its first place. Each
    # with its partition, for the recorded order's seals (order_seals.py).
    partitions = {
        e.event_id: chain.partition_of(e.vendor_id) if records_order else 0 for e in taken
    }
    rows = await conn.fetch(
        f"""WITH claimed AS (
               INSERT INTO processed_events (consumer, event_id)
               SELECT $1, t.event_id FROM unnest($2::uuid[]) AS t(event_id)
               WHERE $6::text IS NULL OR NOT EXISTS (
                   SELECT 1 FROM processed_events j
                   WHERE j.consumer = $6 AND j.event_id = t.event_id AND j.refused
               )
               ON CONFLICT DO NOTHING RETURNING event_id
           ), saved AS (
               INSERT INTO consumer_offsets (consumer, partition, seq)
               SELECT $1, partition - 1, seq FROM unnest($3::bigint[])
                   WITH ORDINALITY AS o(seq, partition)
               ON CONFLICT (consumer, partition) DO UPDATE
               SET seq = EXCLUDED.seq, updated_at = now()
           ), {_SEALED_CLAIMS}, ordered AS (
               INSERT INTO claim_order (seq, consumer, event_id, seal)
               SELECT n.seq, $1, n.event_id, s.seal FROM numbered n
               LEFT JOIN sealed s ON s.seq = n.seq
           )
           SELECT c.event_id, s.recorded_at FROM claimed c
           LEFT JOIN event_store s ON $4 AND s.event_id = c.event_id""",
        consumer,
        list(partitions),
        list(save_cursor.seqs) if save_cursor is not None else [],
        measure,
        records_order,
        judge,
        list(partitions.values()),
    )
    return {row["event_id"]: row["recorded_at"] for row in rows}
