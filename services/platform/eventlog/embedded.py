"""Embedded adapter: the PostgreSQL event store is the log, tailed in-process.

Submitting runs ingest in the caller's process (it appends to the store); each consumer reads
the store's partitions after its durable offsets, woken by LISTEN/NOTIFY and, as a fallback,
by polling. A consumer that waits for another's verdict (risk and migration for the
registry's) reads no further than that consumer has judged, and passes over what it refused.
Given this process's appends (`own_appends.py`), the readers that read the log first take the
events it stored as they are handed at commit, and read the log for the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

import asyncpg

from services.events.base import EventEnvelope
from services.platform.consuming.consumer import BATCH_SIZE, Consumer, apply_batch
from services.platform.consuming.notices import kept_listening
from services.platform.eventlog.base import Writer
from services.platform.eventlog.own_appends import OwnAppends, Tail
from services.platform.eventstore import event_reads, event_store
from services.platform.eventstore.event_reads import Cursor
from services.platform.operations.liveness import Liveness
from services.platform.operations.retry import note_success, until_done
from services.platform.postgres.database import Connection

log = logging.getLogger(__name__)

Accept = Callable[[asyncpg.Pool, Sequence[bytes], Writer], Awaitable[object]]

POLL_SECONDS = 1.0


class EmbeddedEventLog:
    stored_on_submit = True  # ingest runs in `submit`

    def __init__(self, pool: asyncpg.Pool, accept: Accept) -> None:
        self._pool = pool
        self._accept = accept

    async def submit(self, raws: Sequence[bytes], writer: Writer = Writer.PRODUCER) -> None:
        await self._accept(self._pool, list(raws), writer)


async def offsets(pool: asyncpg.Pool, consumer: str) -> Cursor:
    """How far `consumer` has applied the store, per partition."""
    rows = await pool.fetch(
        "SELECT partition, seq FROM consumer_offsets WHERE consumer = $1", consumer
    )
    return Cursor.of({r["partition"]: r["seq"] for r in rows})


async def drain(
    pool: asyncpg.Pool,
    consumer: Consumer,
    applied: Callable[[], Awaitable[object]] | None = None,
    tail: Tail | None = None,
    live: Liveness | None = None,
) -> int:
    """Applies everything after the consumer's offsets that it may see yet, batch by batch;
    returns how many events it passed (the log's, not only those the consumer takes).
    `applied`: what to do as soon as each batch has committed, before the next read. `tail`
    (a consumer that gives its own verdict): events handed by this process's ingest, applied
    without reading the log while they come next; the log is read before returning. `live`:
    the consumer's liveness, told of each read and batch in progress (stuck past the stall
    time: liveness.py)."""
    live = live or Liveness(consumer.name)
    with live.working("reading its offsets and the log's heads"):
        cursor, passed = await offsets(pool, consumer.name), 0
        # The heads as the drain starts too: with events to read elsewhere a read never
        # finds nothing, and what is appended where the offset is past the head would be
        # passed over.
        async with pool.acquire() as conn:
            rewound = await _rewound(conn, consumer.name, cursor)
        if rewound is not None:
            await apply_batch(pool, consumer, [], save_cursor=rewound)
            cursor = rewound
    while True:
        with live.working("reading the log"):
            read, cursor = await _read(pool, consumer, cursor, tail)
        if read is None:
            return passed
        passed += sum(new - old for new, old in zip(read.cursor.seqs, cursor.seqs, strict=True))
        cursor = read.cursor
        with live.working(f"applying a batch of {len(read.events)} events"):
            await apply_batch(pool, consumer, read.events, save_cursor=cursor)
        if applied is not None:
            await applied()


async def _read(
    pool: asyncpg.Pool, consumer: Consumer, cursor: Cursor, tail: Tail | None
) -> tuple[event_reads.Read | None, Cursor]:
    """The next events after `cursor` the consumer may see (handed by `tail` when they come
    next), with the cursor they follow; None when there are none (a cursor past a head is
    moved back to it first, and saved)."""
    while True:
        read = tail.take(cursor, BATCH_SIZE) if tail is not None else None
        rewound = None
        if read is None:
            async with pool.acquire() as conn:
                read = await event_reads.read_after(
                    conn,
                    cursor,
                    BATCH_SIZE,
                    judged_by=consumer.verdict_from,
                    types=consumer.handlers.keys(),
                )
                if read.cursor == cursor:
                    rewound = await _rewound(conn, consumer.name, cursor)
            if read.cursor == cursor:
                if rewound is None:
                    return None, cursor
                # Saved, so that a restart reads from there too.
                await apply_batch(pool, consumer, [], save_cursor=rewound)
                cursor = rewound
                continue
        return read, cursor


async def _rewound(conn: Connection, consumer: str, cursor: Cursor) -> Cursor | None:
    """`cursor` moved back to the heads of the partitions it is past, if any, with an error
    logged for each. An offset past the head (moved by hand, or events removed from the
    end) would take the events appended there next for read already: the consumer would
    never apply them, silently. Read again from the head, each is applied as it comes (the
    ledger passes over what was applied before); `vendorwatch verify` names the offset until
    then, and ledger rows of forged events read meanwhile after. Looked at as a drain starts
    and when a read finds nothing new: the heads, one small read each time."""
    heads = await event_reads.heads(conn)
    past = [
        (partition, seq, head)
        for partition, (seq, head) in enumerate(zip(cursor.seqs, heads.seqs, strict=True))
        if seq > head
    ]
    for partition, seq, head in past:
        log.error(
            "%s consumer's offset in partition %d is seq %d, past the log's head there (seq %d):"
            " the offset was moved, or events were removed from the end (`vendorwatch verify`"
            " names it); reading that partition again from its head, so that the events"
            " appended next are applied",
            consumer,
            partition,
            seq,
            head,
        )
    if not past:
        return None
    return Cursor(tuple(min(seq, head) for seq, head in zip(cursor.seqs, heads.seqs, strict=True)))


async def run_consumers(
    pool: asyncpg.Pool,
    consumers: Sequence[Consumer],
    livenesses: Sequence[Liveness] = (),
    then: Mapping[str, Callable[[], Awaitable[object]]] | None = None,
    own: OwnAppends | None = None,
) -> None:
    """Runs every consumer until cancelled, reporting progress to its liveness (by name).

    A consumer is woken by appends, or, if it waits for another's verdict, by that one's
    progress: risk runs as soon as the registry has judged, not at its next poll. `then`
    (by consumer name): what to do as soon as that consumer has committed a batch (not after
    the read that finds nothing more), before the consumers waiting for its verdict are woken
    (they would otherwise share the event loop with it: `up` hands the registry's
    announcements to its subscribers and relays them there, the path of live updates).
    `own`: this process's appends, handed at commit to the consumers that give their own
    verdict (the registry); the notices of those appends then wake no one.
    """
    after = then or {}
    wakeups = {consumer.name: asyncio.Event() for consumer in consumers}
    downstream = {
        c.name: [d.name for d in consumers if d.verdict_from == c.name] for c in consumers
    }
    by_name = {live.name: live for live in livenesses}

    # An append wakes only the consumers that read the log as it comes: one that waits for
    # another's verdict could read nothing new before that one has judged, and that one
    # wakes it when it has.
    first_readers = [wakeups[c.name] for c in consumers if c.verdict_from not in wakeups]

    def notified(_conn: object, _pid: int, _channel: str, payload: object) -> None:
        if own is not None and own.is_own(payload):
            return  # handed to the consumers that take handed events; the others wait
        for wakeup in first_readers:
            wakeup.set()

    async def tail_and_wake(consumer: Consumer, liveness: Liveness) -> None:
        # Only a consumer that judges events itself may take them before anyone judged them.
        if own is None or consumer.verdict_from is not None:
            await _tail_and_wake(consumer, liveness, None)
            return
        with own.tail(wakeups[consumer.name]) as tail:
            await _tail_and_wake(consumer, liveness, tail)

    async def _tail_and_wake(consumer: Consumer, liveness: Liveness, tail: Tail | None) -> None:
        what = f"{consumer.name} consumer"
        then = after.get(consumer.name)

        async def progressed() -> None:
            # Running again as soon as a batch commits, not once the backlog is drained: a
            # consumer catching up after a failure for longer than the stall time is alive.
            note_success(liveness, what)
            if then is not None:
                await then()

        async def drain_and_wake() -> int:
            read = await drain(pool, consumer, progressed, tail, liveness)
            for name in downstream.get(consumer.name, []):
                wakeups[name].set()
            return read

        while True:
            wakeups[consumer.name].clear()
            await until_done(drain_and_wake, what, liveness)
            # Awaited in this task (`wait_for` runs it in a task of its own, a few loop turns
            # more between a hand-off and the drain).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await wakeups[consumer.name].wait()

    def wake_all() -> None:  # listening again after an outage: appends meanwhile told no one
        for wakeup in first_readers:
            wakeup.set()

    async with (
        kept_listening(pool, event_store.NOTIFY_CHANNEL, notified, wake_all),
        asyncio.TaskGroup() as group,
    ):
        for consumer in consumers:
            liveness = by_name.get(consumer.name) or Liveness(consumer.name)
            group.create_task(tail_and_wake(consumer, liveness), name=f"tail:{consumer.name}")


async def follow(
    pool: asyncpg.Pool, handle: Callable[[EventEnvelope], None], own: OwnAppends | None = None
) -> None:
    """Hands every event appended from now on to `handle`, in order, until cancelled; nothing
    is recorded (for live fan-out, which needs no durable position). `own`: this process's
    appends, taken as they are handed; the log is then read only for other processes' appends
    (their notices) and for a handed event that does not come next."""
    wakeup = asyncio.Event()
    with contextlib.ExitStack() as stack:
        tail = stack.enter_context(own.tail(wakeup)) if own is not None else None

        def notified(_conn: object, _pid: int, _channel: str, payload: object) -> None:
            if tail is None:
                wakeup.set()
            elif own is not None and not own.is_own(payload):
                tail.notified()

        def heard_again() -> None:  # after an outage: what was appended meanwhile
            wakeup.set()
            if tail is not None:
                tail.notified()

        async with kept_listening(pool, event_store.NOTIFY_CHANNEL, notified, heard_again):
            async with pool.acquire() as conn:
                cursor = await event_reads.heads(conn)
            await _follow(pool, handle, cursor, wakeup, tail)


async def _follow(
    pool: asyncpg.Pool,
    handle: Callable[[EventEnvelope], None],
    cursor: Cursor,
    wakeup: asyncio.Event,
    tail: Tail | None,
) -> None:
    while True:
        wakeup.clear()
        read = tail.take(cursor, BATCH_SIZE) if tail is not None else None
        if read is None and (tail is None or tail.read_the_log):
            if tail is not None:
                tail.read_the_log = False  # a notice from now on asks for another read
            async with pool.acquire() as conn:
                read = await event_reads.read_after(conn, cursor, BATCH_SIZE)
        if read is not None:
            for event in read.events:
                handle(event)
            if read.cursor != cursor:
                cursor = read.cursor
                continue
        try:
            async with asyncio.timeout(POLL_SECONDS):
                await wakeup.wait()
        except TimeoutError:
            if tail is not None:
                tail.read_the_log = True  # the fallback poll, for a notice that never came
