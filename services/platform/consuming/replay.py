"""A rebuild's replay: one pass over the log that feeds every projection rebuilt, as a pipeline.

Live consumers each read the log on their own, a batch (consumer.BATCH_SIZE) at a time, risk
and migration only as far as the registry has judged. A rebuild knows more: every consumer
it replays starts from nothing, the judge is replayed in the same pass (or has judged
everything already), and no one else may apply those consumers' batches meanwhile (they hold
their locks exclusively, platform/consuming/rebuilding.py). So the log is read and parsed
once, in large batches, and each batch goes down a pipeline: the judge applies it (on its own
connection), then each follower applies what the judge accepted,
while the judge already applies the next batch and the reader reads the one after. The
stages' waits on PostgreSQL overlap the others' CPU, and each follower's batch handler folds
thousands of events in memory and writes each table once per batch, not once per live batch.

Each stage still goes through `consumer.apply_batch`: the same ledger claims, refusals,
handlers and saved offsets as live processing (only the metrics are not counted: a rebuild's
process serves none), so the result is the live one (the followers' batches hold what a read
judged by the judge would have given them). Each stage applies its batches through the one
transaction its rebuild holds open (postgres/one_transaction.py), which the caller commits
once the pass is over, the judge's first (cli/rebuilding.py), so the ledgers never say a
follower applied what its judge has not judged.

What live processing had reached: each stage applies the events its consumer had applied when
the rebuild took its lock (`rebuilding.REACHED`), and those a follower could not have applied
then because its judge refused them and now accepts them (a changed policy); nothing else.
An event the live consumer had not reached yet is its to apply once the rebuild commits, from
the offsets it kept, announcing what it says: applied silently by the replay, live processing
then passed it as applied, and nobody heard of it (an eligibility change, a plan, an alert
lost for good, when a rebuild ran while a consumer was behind).

The log is read in position order, each partition in its order; a stage whose result depends
on how live processing interleaved the partitions (the judge's verdicts, risk's totals)
applies what it is handed in the order it recorded then (applied_order.py), and the reader
reads at the pace of the record of the stage it feeds, so that stage holds few events for
their turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from collections.abc import AsyncGenerator, Collection, Sequence
from dataclasses import dataclass, field

import asyncpg

from services.platform.consuming.applied_order import (
    AppliedOrder,
    ReadingPace,
    RecordedOrder,
    Reordering,
)
from services.platform.consuming.consumer import Consumer, apply_batch
from services.platform.consuming.rebuilding import reached
from services.platform.eventstore import event_reads
from services.platform.eventstore.event_reads import Cursor, Read
from services.platform.postgres.one_transaction import OneTransaction
from services.platform.wording import plural

log = logging.getLogger(__name__)

# Events read, parsed and applied per batch. Larger batches mean fewer statements and fewer
# intermediate states written (a follower writes each vendor's state once per batch), smaller
# ones more overlap between the stages; a batch's events and the states they touch are held
# in memory, so it bounds the replay's memory, with the events a stage with an applied order
# holds until their turn (given out with a later batch). Measured in tests/benchmarks/README.md.
REPLAY_BATCH_SIZE = 10_000

# Batches waiting between two stages: one ready while the next stage applies the last.
_AHEAD = 1


@dataclass(frozen=True)
class _Handed:
    """A read handed to a stage, with the events among it that its judge refused live and
    accepts now (a follower never had them, and live processing will never hand them on)."""

    read: Read
    reopened: frozenset[uuid.UUID] = frozenset()


@dataclass(frozen=True)
class Stage:
    """A consumer replayed, and the transaction its batches are applied in (on the connection
    of a rebuild's exclusive pool: its lock is held there)."""

    consumer: Consumer
    transaction: OneTransaction
    # The order its live processing applied the log in, where its state depends on it
    # (applied_order.py): the judge's, a follower's.
    applied_order: AppliedOrder | None = None


def _judge_of(stages: Sequence[Stage]) -> tuple[Stage | None, list[Stage], str | None]:
    """The stage giving the verdict (if replayed too), its followers, and whose ledger the
    read must consult when the judge is not replayed (None when it is)."""
    judges = [s for s in stages if s.consumer.verdict_from is None]
    followers = [s for s in stages if s.consumer.verdict_from is not None]
    if len(judges) > 1:
        raise ValueError(
            "a replay has at most one consumer giving verdicts, got "
            + ", ".join(s.consumer.name for s in judges)
        )
    wanted = {s.consumer.verdict_from for s in followers}
    if judges:
        wanted.discard(judges[0].consumer.name)
    if len(wanted) > 1 or (judges and wanted):
        raise ValueError(
            "every follower of a replay must wait for the same judge, got "
            + ", ".join(sorted(str(w) for w in wanted))
        )
    judge = judges[0] if judges else None
    return judge, followers, None if judge else next(iter(wanted), None)


@dataclass(frozen=True)
class Pass:
    """What a replay's pass did: the events it read (the log's, not only those taken), and
    per consumer the events its stage refused."""

    read: int
    refused: dict[str, int]

    def say_refused(self) -> None:
        """Says what each stage refused, once per consumer, not once per event: what a replay
        refuses, live processing refused too (unless a verdict changed, which the rebuild
        says apart), each line read as news. For the caller to say once it committed the
        pass: a rebuild then refused (a broken chain beside it, verdicts changed) committed
        none of it, and a warning of refusals came before its error."""
        for name, refused in self.refused.items():
            if refused:
                log.warning(
                    "%s refused %s in the replay, as when they were first applied unless its"
                    " verdicts changed; each refusal's reason is in deadLetters",
                    name,
                    plural(refused, "event"),
                )


async def replay(
    read_pool: asyncpg.Pool, stages: Sequence[Stage], batch_size: int | None = None
) -> Pass:
    """Applies the whole log, from its start, to every stage's consumer (emptied beforehand),
    in one pass; returns how many events the pass read and what each stage refused
    (`Pass.say_refused`, once the caller commits).

    `read_pool` serves the reads (not a stage's connection, so reading overlaps applying):
    one connection for the reader's reads, and one held through the pass for each record read
    (each stage with an applied order, and the reader when one paces it), so it must have
    that many;
    `batch_size` is REPLAY_BATCH_SIZE unless given. Raises ValueError when the stages do not
    share one judge; any failure of a stage stops the pass and propagates (nothing is
    committed: the stages' transactions are the caller's to commit or roll back).
    """
    if not stages:
        raise ValueError("a replay needs at least one consumer")
    judge, followers, judged_by = _judge_of(stages)
    pipeline = _Pipeline(read_pool, batch_size or REPLAY_BATCH_SIZE)
    reads: asyncio.Queue[_Handed | None] = asyncio.Queue(_AHEAD)
    inboxes: list[asyncio.Queue[_Handed | None]] = [asyncio.Queue(_AHEAD) for _ in followers]
    try:
        async with asyncio.TaskGroup() as group:
            reader = group.create_task(
                pipeline.read_all(
                    _paced_by(judge, followers), judged_by, [reads] if judge else inboxes
                )
            )
            if judge:
                group.create_task(pipeline.judge_all(judge, reads, inboxes))
            for stage, inbox in zip(followers, inboxes, strict=True):
                group.create_task(pipeline.follow_all(stage, inbox, judged_here=judge is not None))
    except ExceptionGroup as failed:
        unreadable, others = failed.split(event_reads.UnreadableStoredEvent)
        if unreadable is not None and others is None:
            raise unreadable.exceptions[0] from None  # the reader's alone, said as it is
        raise
    return Pass(reader.result(), dict(pipeline.refused))


@dataclass(frozen=True)
class _Pipeline:
    """The tasks of one pass: the reader, the judge and the followers, joined by queues."""

    read_pool: asyncpg.Pool
    limit: int
    refused: Counter[str] = field(default_factory=Counter)  # per consumer

    async def read_all(
        self,
        order: AppliedOrder | None,
        judged_by: str | None,
        outs: list[asyncio.Queue[_Handed | None]],
    ) -> int:
        """Reads the log to its end into `outs`, paced by `order` if given; returns how many
        events it read."""
        passed, cursor = 0, Cursor()
        pace, record = ReadingPace(), None
        async with contextlib.AsyncExitStack() as held:
            if order is not None:
                conn = await held.enter_async_context(self.read_pool.acquire())
                record = await held.enter_async_context(RecordedOrder.opened(conn, order))
            while True:
                while record is not None and pace.wants_record(cursor):
                    pace.record(await record.next(self.limit))
                async with self.read_pool.acquire() as conn:
                    read = await event_reads.read_after(
                        conn, cursor, self.limit, judged_by=judged_by, through=pace.through
                    )
                if read.cursor == cursor:
                    if pace.through is None:
                        break
                    pace.stop()  # what the record names next is not judged: read on freely
                    continue
                passed += read.passed
                cursor = read.cursor
                await _put_each(outs, _Handed(read))
        await _put_each(outs, None)
        return passed

    async def judge_all(
        self,
        stage: Stage,
        given: asyncio.Queue[_Handed | None],
        outs: list[asyncio.Queue[_Handed | None]],
    ) -> None:
        # Closed on the way out, failing too: its connection goes back to the pool at once.
        async with contextlib.aclosing(self.in_order(stage, given, taken=None)) as reads:
            async for read in reads:
                async with stage.transaction.acquire() as conn:
                    before = await reached(conn, [e.event_id for e in read.events])
                result = await apply_batch(
                    stage.transaction, stage.consumer, read.events, measure=False
                )
                self.refused[stage.consumer.name] += result.rejected
                accepted = Read(list(result.accepted), read.cursor, read.passed)
                reopened = frozenset(e.event_id for e in result.accepted if before.get(e.event_id))
                await _put_each(outs, _Handed(accepted, reopened))
        await _put_each(outs, None)

    async def follow_all(
        self, stage: Stage, given: asyncio.Queue[_Handed | None], *, judged_here: bool
    ) -> None:
        """Applies what it is given. `judged_here`: by the judge's stage of this pass, whose
        verdicts (in its transaction, uncommitted) are the ones to follow: its ledger as
        committed still says what it judged before, and would keep from the follower what it
        refused then and accepts now (a changed policy). Otherwise the reader read through
        that ledger, the judge's verdicts."""
        taken = stage.consumer.handlers
        async with contextlib.aclosing(self.in_order(stage, given, taken)) as reads:
            async for read in reads:
                applied = await apply_batch(
                    stage.transaction,
                    stage.consumer,
                    read.events,
                    measure=False,
                    judged_here=judged_here,
                )
                self.refused[stage.consumer.name] += applied.rejected

    async def in_order(
        self, stage: Stage, given: asyncio.Queue[_Handed | None], taken: Collection[str] | None
    ) -> AsyncGenerator[Read, None]:
        """The reads as given, as far as the stage's consumer had reached (`_reached`), or,
        for a stage with an applied order, their events (those of `taken` types; None: all)
        given out in the recorded order as their turn comes, with the cursor up to which
        everything has been given out (for a judge, what its followers are handed is
        accepted or refused up to it)."""
        if stage.applied_order is None:
            while (handed := await given.get()) is not None:
                yield await _reached(stage, handed)
            return
        reordering = Reordering(stage.applied_order.projection, taken)
        most_held = 0
        async with (
            self.read_pool.acquire() as conn,
            RecordedOrder.opened(conn, stage.applied_order) as record,
        ):

            async def ready() -> Read:
                nonlocal most_held
                given_out = reordering.ready()
                while reordering.wants_record():
                    reordering.record(await record.next(self.limit))
                    given_out += reordering.ready()
                most_held = max(most_held, reordering.waiting)
                return Read(given_out, reordering.given_through(), len(given_out))

            while (handed := await given.get()) is not None:
                read = await _reached(stage, handed)
                reordering.arrive(read.events, read.cursor)
                yield await ready()
            reordering.end()
            yield await ready()
        log.info(
            "%s's replay held at most %d events for their recorded turn",
            stage.consumer.name,
            most_held,
        )


def _paced_by(judge: Stage | None, followers: Sequence[Stage]) -> AppliedOrder | None:
    """The recorded order that paces the reader: that of the stage it feeds, when that stage
    has one (the judge, or else the one follower with an order), so that stage holds few
    events for their turn (applied_order.ReadingPace). A follower behind a judge holds what
    its order and the judge's differ by."""
    if judge is not None:
        return judge.applied_order
    ordered = [s.applied_order for s in followers if s.applied_order is not None]
    return ordered[0] if len(ordered) == 1 else None


async def _reached(stage: Stage, handed: _Handed) -> Read:
    """The read, without the events of the types the stage's consumer takes that it had not
    applied live when its rebuild began, unless reopened: live processing applies those once
    the rebuild commits (its offsets are kept: the replay saves none)."""
    events = handed.read.events
    takes = stage.consumer.handlers
    async with stage.transaction.acquire() as conn:
        before = await reached(conn, [e.event_id for e in events if e.event_type in takes])
    kept = [
        e
        for e in events
        if e.event_type not in takes or e.event_id in before or e.event_id in handed.reopened
    ]
    return Read(kept, handed.read.cursor, handed.read.passed)


async def _put_each(
    queues: Sequence[asyncio.Queue[_Handed | None]], handed: _Handed | None
) -> None:
    for queue in queues:
        await queue.put(handed)
