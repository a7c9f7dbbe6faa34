"""Raw bytes in, an accepted event (or a dead letter with its reason) out, a batch at a time."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import (
    EventRejected,
    claims_recorded_by,
    parse_event,
    said,
    size_problem,
)
from services.ingest.admission import (
    Placement,
    admission_problem,
    placement_problem,
    unread_problem,
)
from services.platform.consuming import dead_letters
from services.platform.eventlog.base import Writer
from services.platform.eventstore import event_store
from services.platform.eventstore.event_store import AppendOutcome, Place
from services.platform.off_the_loop import for_batch
from services.platform.operations import metrics
from services.platform.postgres.database import Connection

log = logging.getLogger(__name__)

STAGE = "ingest"


@dataclass(frozen=True)
class Accepted:
    envelope: EventEnvelope
    place: Place | None  # where it was stored; None when the store held it already

    @property
    def new(self) -> bool:
        return self.place is not None


@dataclass(frozen=True)
class Rejected:
    reason: str


IngestOutcome = Accepted | Rejected


@dataclass(frozen=True)
class _Refused:
    """Input refused before storing: why, and the event it is when it could be read, or
    else what it says it is (`said`)."""

    reason: str
    envelope: EventEnvelope | None = None
    said: tuple[uuid.UUID | None, str | None] = (None, None)

    @property
    def event_type(self) -> str | None:
        """The event type its dead letter records: the event's, or the one it says it is."""
        return self.envelope.event_type if self.envelope else self.said[1]


def _parse(
    raws: Sequence[bytes | None], writer: Writer, placements: Sequence[Placement] | None
) -> tuple[list[EventEnvelope | _Refused], list[str]]:
    """Each input read and admitted, or refused; and the JSON each admitted one is stored as."""
    parsed: list[EventEnvelope | _Refused] = []
    texts: list[str] = []
    for n, raw in enumerate(raws):
        try:
            envelope = parse_event(raw)
        except EventRejected as rejection:
            sent = said(raw) if raw is not None else (None, None)
            claims = raw is not None and claims_recorded_by(raw)
            problem = unread_problem(sent[1], claims, writer)
            parsed.append(_Refused(problem or rejection.reason, said=sent))
            continue
        problem = admission_problem(envelope, writer)
        if problem is None and placements is not None:
            problem = placement_problem(placements[n], envelope)
        if problem is None:
            # What is stored, forwarded and read back is the canonical JSON, which can be
            # longer than what was sent (numbers and times written in full, defaults filled
            # in): it, too, must be an event every reader accepts.
            text = event_store.canonical_json(envelope)
            problem = size_problem(text, as_stored=True)
        if problem is None:
            parsed.append(envelope)
            texts.append(text)
        else:
            parsed.append(_Refused(problem, envelope))
    return parsed, texts


async def ingest_batch(
    pool: asyncpg.Pool,
    raws: Sequence[bytes | None],
    writer: Writer = Writer.PRODUCER,
    placements: Sequence[Placement] | None = None,
    *,
    notice: str = "",
) -> list[IngestOutcome]:
    """Ingests many raw events in one transaction, in a fixed number of statements; one
    outcome per input, in order (None: a Kafka record without a value). Never raises for bad
    input: that is dead-lettered. `placements`: the Kafka records' keys and partitions, each
    checked against its event's vendor_id; `notice`: the payload of the store's notice
    (`event_store.append_batch`)."""
    parsed, texts = await for_batch(partial(_parse, writer=writer, placements=placements), raws)
    keys = [p.key for p in placements] if placements else [None] * len(raws)
    received = [_Received(_as_received(raw, key), key) for raw, key in zip(raws, keys, strict=True)]
    valid = [p for p in parsed if isinstance(p, EventEnvelope)]
    async with pool.acquire() as conn:
        try:
            # At once, without a savepoint of its own: two round trips less on every batch
            # (a live update waits for this commit), the rare refusal by PostgreSQL paid by
            # applying the batch again.
            async with conn.transaction():
                stored = (
                    await event_store.append_batch(conn, valid, notice=notice, texts=texts)
                    if valid
                    else []
                )
                outcomes, refused = await _outcomes(conn, received, parsed, stored)
        except (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError):
            log.warning("a batch of %d could not be stored at once; storing one by one", len(valid))
            async with conn.transaction():
                stored_one_by_one = await _one_by_one(conn, valid, notice)
                outcomes, refused = await _outcomes(conn, received, parsed, stored_one_by_one)
    _count(parsed, outcomes, refused)
    return outcomes


def _count(
    parsed: Sequence[EventEnvelope | _Refused],
    outcomes: Sequence[IngestOutcome],
    refused: Sequence[dead_letters.DeadLetter],
) -> None:
    """Metrics of a committed batch: a re-sent event already stored is received, not applied;
    a re-sent input already refused is received, not refused again (`refused`: the new
    letters). Each is labelled with the event type its letter records."""
    metrics.batch_applied(
        STAGE,
        (metrics.type_label(item.event_type) for item in parsed),
        (
            (outcome.envelope.event_type, outcome.envelope.occurred_at, None)
            for outcome in outcomes
            if isinstance(outcome, Accepted) and outcome.new
        ),
        (metrics.type_label(letter.event_type) for letter in refused),
    )


@dataclass(frozen=True)
class _Received:
    """What a letter keeps of an input: its bytes (`_as_received`) and its Kafka key."""

    raw: bytes
    key: bytes | None


async def _outcomes(
    conn: Connection,
    received: Sequence[_Received],
    parsed: Sequence[EventEnvelope | _Refused],
    stored: Sequence[Place | AppendOutcome | Rejected],
) -> tuple[list[IngestOutcome], list[dead_letters.DeadLetter]]:
    """Each input's outcome, in order, the refusals recorded as dead letters (`stored`: the
    outcomes of the inputs that could be read, in order); and the letters that are new."""
    appended = iter(stored)
    outcomes: list[IngestOutcome] = []
    letters: list[dead_letters.DeadLetter] = []
    for input_, item in zip(received, parsed, strict=True):
        if isinstance(item, _Refused):
            outcomes.append(Rejected(item.reason))
            letters.append(_letter(input_, item.reason, item.envelope, item.said))
            continue
        outcome = next(appended)
        if isinstance(outcome, Place):
            outcomes.append(Accepted(item, outcome))
        elif isinstance(outcome, Rejected):
            outcomes.append(outcome)
            letters.append(_letter(input_, outcome.reason, item))
        elif outcome is AppendOutcome.CONFLICT:
            # Its letter is found by the id of the event the log holds: `eventStatus` shows
            # it beside `accepted: true`, so it says that what it refused is another event.
            reason = (
                f"event_id: {item.event_id} was already accepted with different content:"
                " this submission, another event under the same id, was refused and the event"
                " the log holds under it stands; an event id identifies one event only"
            )
            outcomes.append(Rejected(reason))
            letters.append(_letter(input_, reason, item))
        else:
            outcomes.append(Accepted(item, None))
    new = await dead_letters.record_many(conn, letters)
    return outcomes, [letter for letter, is_new in zip(letters, new, strict=True) if is_new]


async def _one_by_one(
    conn: Connection, envelopes: list[EventEnvelope], notice: str
) -> list[Place | AppendOutcome | Rejected]:
    """Each event appended under a savepoint of its own, when PostgreSQL refused a value the
    models allow in the batch: only that event is refused."""
    outcomes: list[Place | AppendOutcome | Rejected] = []
    for envelope in envelopes:
        try:
            async with conn.transaction():
                outcomes.extend(await event_store.append_batch(conn, [envelope], notice=notice))
        except (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError) as error:
            outcomes.append(Rejected(f"cannot be stored: {type(error).__name__}: {error}"))
    return outcomes


def _as_received(raw: bytes | None, key: bytes | None) -> bytes:
    """What a dead letter keeps of an input: its bytes; of a Kafka record without a value,
    which has none, its key. A letter is kept once per input (`dead_letters.record_many`),
    so every producer's tombstone was the one letter of the first, saying nobody's."""
    if raw is not None:
        return raw
    return f"(no value; Kafka key {key.decode(errors='replace')!r})".encode() if key else b""


def _letter(
    received: _Received,
    reason: str,
    envelope: EventEnvelope | None,
    said: tuple[uuid.UUID | None, str | None] = (None, None),
) -> dead_letters.DeadLetter:
    event_id, event_type = (envelope.event_id, envelope.event_type) if envelope else said
    # INFO: the producer's mistake, not the system's (its letter and metric keep it).
    log.info(
        "rejected input: %s",
        dead_letters.readable_reason(reason),
        extra={"event_id": str(event_id)} if event_id else None,
    )
    return dead_letters.DeadLetter(
        stage=STAGE,
        reason=reason,
        raw=received.raw,
        event_id=event_id,
        event_type=event_type,
        kafka_key=received.key,
    )
