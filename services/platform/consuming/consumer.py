"""Applies batches of events to one service's state, exactly once per event, with one verdict.

Both event-log adapters deliver at least once; this is where redelivery stops mattering: each
event is claimed in the processed-event ledger in the same transaction as its state change,
and an event the service refuses stays claimed, marked refused, with a dead letter saying why.
A batch costs a fixed number of ledger statements, however many events it holds.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import EventRejected, parse_event, said
from services.platform.consuming import dead_letters, ledger_claims
from services.platform.consuming.consumer_lock import SHARED_FOR_BATCH, lock_key
from services.platform.eventstore.event_reads import Cursor
from services.platform.eventstore.event_store import canonical_json
from services.platform.off_the_loop import for_batch
from services.platform.operations import metrics
from services.platform.operations.liveness import now_doing
from services.platform.postgres.database import Connection, ConnectionSource

log = logging.getLogger(__name__)

# Events applied per transaction at most (a backlog's; a lone event is applied alone): large
# enough to amortise a batch's round trips, small enough to keep transactions (and
# redelivery after a crash) short. 2,000 rather than 500: the 20,000-event benchmark
# end to end 5.5 -> 5.1 s embedded, 6.6 -> 5.5 s distributed (tests/benchmarks/HISTORY.md).
BATCH_SIZE = 2_000

# A part of a batch at fault this small is applied one event at a time (a savepoint each);
# a larger one is halved and applied set-based again (`_apply_parts`).
ONE_BY_ONE_UP_TO = 32

Handler = Callable[[Connection, EventEnvelope], Awaitable[None]]
# The events a consumer refused, with why.
Refusals = dict[uuid.UUID, str]
# Applies a whole batch's events (in log order) at once, set-based; raises if any is at fault.
BatchHandler = Callable[[Connection, Sequence[EventEnvelope]], Awaitable[None]]


class DomainRejection(Exception):
    """A valid event the service cannot apply (e.g. a sanction for an unknown vendor)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @classmethod
    def if_any(cls, refusal: str | None) -> None:
        """Raises for a rule's refusal; a pure rule says why (or None), a handler refuses."""
        if refusal is not None:
            raise cls(refusal)


# Failures that come from the event's own content: retrying could never succeed, so the event
# is refused and the rest of the batch goes on. Anything else (connection lost, a missing
# table, a bug) rolls the batch back for a retry: a stalled consumer is loud, a skipped event
# is silent.
_EVENT_FAULTS = (
    DomainRejection,
    ValueError,
    ArithmeticError,
    asyncpg.DataError,
    asyncpg.IntegrityConstraintViolationError,
)


def _reason(fault: Exception) -> str:
    if isinstance(fault, DomainRejection):
        return fault.reason
    return f"cannot be applied: {type(fault).__name__}: {fault}"


@dataclass(frozen=True)
class Consumer:
    """A service's subscription to the log: its ledger name and a handler per event type.

    `verdict_from` names the service whose verdict an event needs before this one may see it
    (the registry, for risk and migration): only the events it accepted reach this consumer.
    A consumer without one gives the verdict itself. `apply_all`, when given, applies a
    batch's events in one go (they are the event types of `handlers`); `handlers` then
    serve only to find the event at fault when a batch fails. Handlers must have no effect
    outside the transaction they are given: a batch may be rolled back and applied again.
    `records_order`: the order it applied events in is recorded with their claims
    (`claim_order`), for a consumer whose results depend on it, which a rebuild must repeat
    (applied_order.py).
    """

    name: str
    handlers: Mapping[str, Handler]
    verdict_from: str | None = None
    apply_all: BatchHandler | None = None
    records_order: bool = False


@dataclass(frozen=True)
class BatchResult:
    applied: int = 0
    skipped_duplicates: int = 0
    rejected: int = 0
    # The batch's events less those this consumer refused (now or on an earlier delivery):
    # what a consumer that gives the verdict passes on.
    accepted: tuple[EventEnvelope, ...] = ()


async def apply_batch(
    pool: ConnectionSource,
    consumer: Consumer,
    events: Sequence[EventEnvelope],
    *,
    unreadable: Sequence[dead_letters.DeadLetter] = (),
    save_cursor: Cursor | None = None,
    measure: bool = True,
    judged_here: bool = False,
) -> BatchResult:
    """Applies `events` in one transaction (a savepoint of the one a rebuild holds open, when
    `pool` is its `OneTransaction`); an event at fault is refused, not fatal.

    `unreadable` input (dead letters already written up by the caller) is recorded in the same
    transaction, so a retried batch does not record it again; `save_cursor` (embedded mode)
    records how far the consumer has read, also in it. `measure=False` counts nothing in the
    metrics (a rebuild: its process serves none) and logs no refusal (its replay counts
    them). `judged_here`: the events are those the consumer's judge accepted in the same
    rebuild (replay.py), whose verdicts stand in that rebuild's uncommitted transaction, not
    in the judge's ledger as committed, which the claim otherwise consults
    (`ledger_claims.claim`). Any other exception rolls the whole batch back and propagates,
    for the caller to retry: nothing is acknowledged that is not committed.

    Refusals are rare, so the handlers first run in the batch's transaction itself, without
    a savepoint (two round trips less per batch, on a live update's path); when an event is
    at fault, that transaction is rolled back and the batch applied again in a new one, its
    parts under savepoints (`_apply_parts`), so that only that event is refused.
    """
    try:
        return await _apply_batch(
            pool, consumer, events, unreadable, save_cursor, measure, judged_here, _apply_together
        )
    except _EVENT_FAULTS:
        return await _apply_batch(
            pool, consumer, events, unreadable, save_cursor, measure, judged_here, _apply_parts
        )


async def _apply_batch(
    pool: ConnectionSource,
    consumer: Consumer,
    events: Sequence[EventEnvelope],
    unreadable: Sequence[dead_letters.DeadLetter],
    save_cursor: Cursor | None,
    measure: bool,
    judged_here: bool,
    apply: Callable[[Connection, Consumer, Sequence[EventEnvelope]], Awaitable[Refusals]],
) -> BatchResult:
    taken = [e for e in events if e.event_type in consumer.handlers]
    async with pool.acquire() as conn, conn.transaction():
        # Only a rebuild holds the lock exclusively: waiting for it is no stuck loop (a
        # restart would wait again), and the loop's liveness says so.
        now_doing(f"waiting for the {consumer.name} consumer's lock (a rebuild)", excused=True)
        await conn.execute(SHARED_FOR_BATCH, lock_key(consumer.name))  # consumer_lock.py
        now_doing(f"applying a batch of {len(events)} events in one transaction")
        judge = None if judged_here else consumer.verdict_from
        recorded_at = await ledger_claims.claim(
            conn, consumer.name, consumer.records_order, judge, taken, save_cursor, measure
        )
        # After the claim, which may wait for the recorded order's heads: a letter written
        # before it would hold its key meanwhile, for a batch holding a head to wait on.
        new_letters = await dead_letters.record_many(conn, unreadable)
        claimed = set(recorded_at)
        fresh = []
        for event in taken:
            if event.event_id in claimed:
                claimed.discard(event.event_id)  # the same event twice in one batch: once
                fresh.append(event)
        refusals = await apply(conn, consumer, fresh)
        if refusals:
            await _refuse(conn, consumer, fresh, refusals)
        earlier = set(refusals)
        if len(fresh) < len(taken):
            earlier |= set(
                await conn.fetchval(
                    """SELECT coalesce(array_agg(event_id), '{}') FROM processed_events
                       WHERE consumer = $1 AND event_id = ANY($2::uuid[]) AND refused""",
                    consumer.name,
                    [e.event_id for e in taken],
                )
            )
    if measure:
        # Live, each refusal is news. A rebuild refuses again what live processing refused,
        # each already a dead letter: its replay says how many, once (replay.py). INFO: a
        # refusal is the input's fault, not the system's (400 policy refusals were 400
        # WARNINGs, among which the system's own problems went unseen).
        for event_id, reason in refusals.items():
            log.info(
                "%s refused %s: %s",
                consumer.name,
                event_id,
                reason,
                extra={"event_id": str(event_id)},
            )
        metrics.batch_applied(
            consumer.name,
            (e.event_type for e in taken),
            (
                (e.event_type, e.occurred_at, recorded_at.get(e.event_id))
                for e in fresh
                if e.event_id not in refusals
            ),
            [e.event_type for e in fresh if e.event_id in refusals]
            # A record read again (a redelivery) is refused once, as its letter is kept once.
            + [
                metrics.type_label(letter.event_type)
                for letter, new in zip(unreadable, new_letters, strict=True)
                if new
            ],
        )
    return BatchResult(
        applied=len(fresh) - len(refusals),
        skipped_duplicates=len(taken) - len(fresh),
        rejected=len(refusals) + len(unreadable),
        accepted=tuple(e for e in events if e.event_id not in earlier),
    )


async def _apply_together(
    conn: Connection, consumer: Consumer, events: Sequence[EventEnvelope]
) -> Refusals:
    """Applies the events at once (set-based when the consumer can); raises if any is at
    fault, refusing none."""
    if consumer.apply_all is not None:
        if events:
            await consumer.apply_all(conn, events)
    else:
        for event in events:
            await consumer.handlers[event.event_type](conn, event)
    return {}


async def _apply(conn: Connection, consumer: Consumer, events: Sequence[EventEnvelope]) -> Refusals:
    """Applies the events under one savepoint; when one is at fault, in parts
    (`_apply_parts`). Returns the refused ones with their reasons."""
    if not events:
        return {}
    try:
        async with conn.transaction():
            await _apply_together(conn, consumer, events)
        return {}
    except _EVENT_FAULTS:
        return await _apply_parts(conn, consumer, events)


async def _apply_parts(
    conn: Connection, consumer: Consumer, events: Sequence[EventEnvelope]
) -> Refusals:
    """Applies events of which one is known to be at fault; returns the refused ones with
    their reasons.

    A consumer with a batch handler applies each half under its own savepoint, set-based,
    halving again only the part at fault, and events run one by one, with a savepoint each,
    only in a part of at most ONE_BY_ONE_UP_TO events. So one refusal among a rebuild's
    thousands of events costs a few set-based halves, not thousands of savepoints; the halves
    are applied in log order, so the effect is the same.
    """
    if consumer.apply_all is not None and len(events) > ONE_BY_ONE_UP_TO:
        half = len(events) // 2
        before = await _apply(conn, consumer, events[:half])
        return before | await _apply(conn, consumer, events[half:])
    refusals: dict[uuid.UUID, str] = {}
    for event in events:
        try:
            async with conn.transaction():
                await consumer.handlers[event.event_type](conn, event)
        except _EVENT_FAULTS as fault:
            refusals[event.event_id] = _reason(fault)
    return refusals


async def _refuse(
    conn: Connection,
    consumer: Consumer,
    events: Sequence[EventEnvelope],
    refusals: Mapping[uuid.UUID, str],
) -> None:
    await conn.execute(
        "UPDATE processed_events SET refused = true"
        " WHERE consumer = $1 AND event_id = ANY($2::uuid[])",
        consumer.name,
        list(refusals),
    )
    await dead_letters.record_many(
        conn,
        [
            dead_letters.DeadLetter(
                stage=consumer.name,
                reason=refusals[e.event_id],
                raw=canonical_json(e),
                event_id=e.event_id,
                event_type=e.event_type,
            )
            for e in events
            if e.event_id in refusals
        ],
    )


def _parse_all(
    consumer: Consumer, raws: Sequence[bytes | None]
) -> tuple[list[EventEnvelope], list[bytes], list[dead_letters.DeadLetter]]:
    """The events read, each with the bytes it was read from, and dead letters for the rest:
    each naming the event its record says it is, where that is readable (`said`), so that
    `eventStatus` of that id shows it, as it shows ingest's letter of such an input."""
    envelopes: list[EventEnvelope] = []
    read_from: list[bytes] = []
    unreadable: list[dead_letters.DeadLetter] = []
    for raw in raws:
        try:
            envelopes.append(parse_event(raw))
            read_from.append(raw or b"")
        except EventRejected as rejection:
            event_id, event_type = said(raw) if raw is not None else (None, None)
            unreadable.append(
                dead_letters.DeadLetter(
                    stage=consumer.name,
                    reason=rejection.reason,
                    raw=raw or b"",
                    event_id=event_id,
                    event_type=event_type,
                )
            )
    return envelopes, read_from, unreadable


# Which of a batch's parsed events (each with the bytes it was read from) may be applied, and
# dead letters for the others (`stored_only.StoredOnly`: what the store does not hold).
Admission = Callable[
    [asyncpg.Pool, str, Sequence[EventEnvelope], Sequence[bytes]],
    Awaitable[tuple[list[EventEnvelope], list[dead_letters.DeadLetter]]],
]


async def apply_serialized_batch(
    pool: asyncpg.Pool,
    consumer: Consumer,
    raws: Sequence[bytes | None],
    declared: Sequence[str | None] = (),
    admit: Admission | None = None,
) -> BatchResult:
    """Like `apply_batch`, for events still in their JSON form (as Kafka delivers them).

    Ingest validated them already; one that fails here anyway (a producer writing to the
    topic directly, say) is dead-lettered rather than allowed to stall the partition.
    `declared`: per raw, the event type its producer declared (None: none), for a consumer
    that passes on nothing it does not apply (not the judge, whose `accepted` is forwarded):
    a raw of a type it has no handler for is left unparsed, as it would have been left
    unapplied (the alerts consumer applies about one event in ten of what it reads). What a
    parsed event is applied as is its own type: a declared one only lets a raw go unparsed.
    `admit`: which parsed events may be applied, the others dead-lettered.
    """
    if declared:
        raws = [
            raw
            for raw, kind in zip(raws, declared, strict=True)
            if kind is None or kind in consumer.handlers
        ]
        if not raws:
            return BatchResult()
    envelopes, read_from, unreadable = await for_batch(partial(_parse_all, consumer), raws)
    if admit is not None:
        envelopes, refused = await admit(pool, consumer.name, envelopes, read_from)
        unreadable += refused
    return await apply_batch(pool, consumer, envelopes, unreadable=unreadable)
