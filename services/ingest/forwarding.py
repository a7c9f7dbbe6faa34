"""Forwarding stored events to the registry's topic in the store's order (distributed mode).

The store's partitions are the topics' partitions (`chain.partition_of`), and a vendor's
events must reach the consumers in the order its chain holds them: a rebuild replays that
order, so live processing must have seen it too. Forwarding each batch's own events after
its commit did not give it. Two ingest agents (the producers' entrance and the API's) store
two events of one vendor, one after the other, then race to send them; and a worker killed
between its commit and its send left its event to be sent when the batch was read again,
after the later ones.

So each partition has a forwarding head (`ingest_forward_heads`): the seq up to which its
events are on the topic. After storing a batch, ingest forwards every partition the batch
touched from its head on, to the store's end, holding that head's row lock while it sends:
whoever forwards a partition next starts where this one stopped, so each partition is sent in
seq order whichever agent, replica or retry does it. A batch read again after a crash (its
events stored already) forwards what the crash left; a producer's resend of an event
forwarded long ago forwards nothing. A crash between the send and the head's commit sends
that stretch again, in the same order, after itself: the consumers' ledgers apply each
event once.

Every stored event goes to `events`, the services' emitted events too: the registry passes on
to `facts` what it did not refuse in the order it read them (`faust_runtime.judge`), so
`facts` is the store less the refusals, in the store's order. Emitted events sent straight to
`facts` overtook the inputs stored before them that the registry had not yet judged.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Collection, Sequence

import asyncpg

from services.events.base import EventEnvelope
from services.platform.eventlog.kafka import REQUEST_TIMEOUT_MS, KafkaEventLog
from services.platform.eventstore import event_reads

# Events per partition sent in one transaction: bounded memory and lock time when a partition
# has a backlog (Kafka away for a while), several rounds then.
CHUNK = 2_000
# How long a round may go on starting batches: a slow broker (acknowledging each batch after
# seconds) would otherwise hold the heads' locks, idle in the transaction, for as many of
# its answers as the stretch has batches. What is left goes in the next round.
SEND_SECONDS = 20.0
# How long a forwarding transaction may sit waiting for the broker before PostgreSQL ends it
# (a worker that vanished mid-send frees the heads so): the round's sending; the last batch
# started, a request timeout waiting to be sent and one for its answer; and after a failure
# the producer's renewal, a request timeout each to start the new one and stop the old.
LOCK_HELD_MS = int(SEND_SECONDS * 1000) + 4 * REQUEST_TIMEOUT_MS


async def forward_stored(
    pool: asyncpg.Pool, event_log: KafkaEventLog, partitions: Collection[int]
) -> int:
    """Sends these partitions' stored events that are not on the topic yet, each partition
    in seq order; returns how many it sent."""
    sent = 0
    async with pool.acquire() as conn:
        while True:
            async with conn.transaction():
                # The heads stay locked while the broker answers: should this worker vanish
                # meanwhile, PostgreSQL ends its session and frees them for the others.
                await conn.execute(
                    f"SET LOCAL idle_in_transaction_session_timeout = {LOCK_HELD_MS}"
                )
                heads = await conn.fetch(
                    """SELECT partition, forwarded_seq FROM ingest_forward_heads
                       WHERE partition = ANY($1::smallint[])
                       ORDER BY partition FOR UPDATE""",
                    sorted(partitions),
                )
                # In log order (each partition's in seq order): partitions that share a Kafka
                # partition share its batches first come, first sent, so a round cut short
                # by SEND_SECONDS cannot leave one behind another's backlog round after round.
                # Each partition's range keeps its ORDER BY and LIMIT so that it stays a range
                # scan (as `event_reads.read_after`'s): without them the planner scanned the
                # whole store, 49 ms a round 90,000 events in and growing with the log.
                rows = await conn.fetch(
                    """SELECT s.partition, s.seq, s.content_hash
                       FROM unnest($1::smallint[], $2::bigint[]) AS h(partition, after)
                       CROSS JOIN LATERAL (
                           SELECT position, partition, seq, content_hash FROM event_store
                           WHERE partition = h.partition AND seq > h.after AND seq <= h.after + $3
                           ORDER BY seq LIMIT $3
                       ) AS s
                       ORDER BY s.position""",
                    [h["partition"] for h in heads],
                    [h["forwarded_seq"] for h in heads],
                    CHUNK,
                )
                if not rows:
                    return sent
                events = await event_reads.events_at(conn, rows)
                left = await _send(event_log, events, time.monotonic() + SEND_SECONDS)
                positions: list[tuple[int, int]] = [(r["partition"], r["seq"]) for r in rows]
                reached = reached_heads(positions, [e.event_id for e in events], left)
                await conn.execute(
                    """UPDATE ingest_forward_heads h SET forwarded_seq = r.seq
                       FROM unnest($1::smallint[], $2::bigint[]) AS r(partition, seq)
                       WHERE h.partition = r.partition""",
                    list(reached),
                    list(reached.values()),
                )
            sent += sum(seq <= reached.get(partition, 0) for partition, seq in positions)
            if not left and max(Counter(r["partition"] for r in rows).values()) < CHUNK:
                return sent  # every partition's end reached


def reached_heads(
    positions: Sequence[tuple[int, int]],
    event_ids: Sequence[uuid.UUID],
    left: Collection[uuid.UUID],
) -> dict[int, int]:
    """Per partition of a round's events (their (partition, seq), each partition's in seq
    order, and their ids), the seq up to which they are on the topic: the last before its
    first event `left` unsent, none if that is its first."""
    reached: dict[int, int] = {}
    stopped: set[int] = set()
    for (partition, seq), event_id in zip(positions, event_ids, strict=True):
        if event_id in left:
            stopped.add(partition)
        elif partition not in stopped:
            reached[partition] = seq
    return reached


async def _send(
    event_log: KafkaEventLog, events: Sequence[EventEnvelope], until: float
) -> set[uuid.UUID]:
    """Every stored event to the registry (`events`), emitted ones too (above); batches
    started until `until`. Returns the events left unsent."""
    return await event_log.forward("events", events, until=until)
