"""What became of an event: in the log, applied by which services, refused by which (and
why); and waiting for that, for clients that want the effect before they go on."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Collection, Mapping, Sequence
from enum import StrEnum

import asyncpg
import strawberry

from services.platform.consuming import dead_letters
from services.platform.eventstore import event_queries
from services.platform.eventstore.event_store import VERDICT_FROM
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import described_enum
from services.platform.graphql.nodes import Key, Node, in_key_order
from services.platform.postgres.database import Connection
from services.platform.security.access import reads_dead_letters

WAIT_SECONDS = 10.0
_POLL_SECONDS = 0.1


class StageName(StrEnum):
    """Where an event is processed: ingest (services.ingest.handlers.STAGE) and the services'
    consumers (their CONSUMER_NAMEs); the values are those stored in dead_letters.stage and
    processed_events.consumer (tests/unit/test_graphql_closed_sets.py keeps them in step)."""

    INGEST = "ingest"
    REGISTRY = "registry"
    RISK = "risk"
    MIGRATION = "migration"
    ALERTS = "alerts"


described_enum(
    StageName,
    name="Stage",
    description="Where an event is processed: ingest admits it to the log, then each service"
    " that takes its kind applies it (or refuses it).",
    values={
        "INGEST": "Validates what producers and the API submit, before the log holds it.",
        "REGISTRY": "The registry: vendors, sanctions and records; its refusal is the"
        " event's verdict.",
        "RISK": "The risk service: scores vendors.",
        "MIGRATION": "The migration service: plans moving contracts away from vendors.",
        "ALERTS": "The alerts: raises alerts to agencies watching a vendor, records their"
        " acknowledgements.",
    },
)


def _stages(names: Collection[str]) -> list[StageName]:
    return [StageName(n) for n in names]


def _raw_for_readers(root: DeadLetter, info: Info) -> str | None:
    # Checked where the value is served, not at the root field: dead letters also reach
    # every role through eventStatus and the receipts of mutations that wait.
    return root.stored_raw if reads_dead_letters(info.context.principal) else None


@strawberry.type(description="Input that could not be accepted or applied, with the reason.")
class DeadLetter(Node):
    dead_letter_id: strawberry.ID = strawberry.field(
        description="The dead letter's number in the store; newer ones have higher numbers."
    )
    stage: StageName = strawberry.field(
        description="Where it stopped: at ingest, or at the service that refused it."
    )
    reason: str = strawberry.field(description="Why it was refused, in words.")
    event_id: strawberry.ID | None = strawberry.field(
        description="The event's id, when the input got as far as naming one."
    )
    event_type: str | None = strawberry.field(
        description="The event's type, when the input got as far as naming one."
    )
    vendor_id: strawberry.ID | None = strawberry.field(
        description="The vendor the event is about, when the input names one (a vendor id in"
        " its envelope, though the rest was refused); for input too broken to name one, the"
        " vendor its Kafka record's key named (the producer's word, unverified as the input"
        " is); else null."
    )
    recorded_at: dt.datetime = strawberry.field(
        description="When it was dead-lettered (with its UTC offset)."
    )
    overturned: bool = strawberry.field(
        description="The service that refused it has applied the event since: a rebuild"
        " judged the log again (under a changed policy or rules) and accepted it. The letter"
        " stays as what was refused then and why; `appliedBy` and `refusedBy` say what holds now."
    )
    stored_raw: strawberry.Private[str]
    raw: str | None = strawberry.field(
        resolver=_raw_for_readers,
        description="The input as it was refused (NUL written \\u0000, bytes that are not"
        " UTF-8 replaced). Only auditors and admins read it: it may hold any agency's records,"
        " and a producer polling `eventStatus` gets null here (the reason says what was wrong).",
    )

    node_key_names = ("deadLetterId",)

    def node_key(self) -> Key:
        return (str(self.dead_letter_id),)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[DeadLetter | None]:
        # As the queries that serve letters: the root `deadLetters` every letter to those who
        # may read dead letters, `eventStatus` to any role the letters of an event (`raw`
        # null but to those readers, as everywhere). A letter naming no event is in no
        # event's status: null to the others, as another agency's plan is to a system owner.
        readers = reads_dead_letters(info.context.principal)
        async with info.context.pool.acquire() as conn:
            letters = await dead_letters.named(conn, [int(n) for (n,) in keys])
        shown = {(str(n),): cls.of(d) for n, d in letters.items() if readers or d.event_id}
        return in_key_order(shown, keys)

    @classmethod
    def of(cls, letter: dead_letters.StoredDeadLetter) -> DeadLetter:
        return cls(
            dead_letter_id=strawberry.ID(str(letter.id)),
            stage=StageName(letter.stage),
            reason=letter.reason,
            stored_raw=letter.raw,
            event_id=strawberry.ID(str(letter.event_id)) if letter.event_id else None,
            event_type=letter.event_type,
            vendor_id=strawberry.ID(letter.vendor_id) if letter.vendor_id else None,
            recorded_at=letter.recorded_at,
            overturned=letter.overturned,
        )


@strawberry.type(description="What became of a submitted event.")
class EventStatus(Node):
    event_id: strawberry.ID = strawberry.field(description="The event asked about.")
    accepted: bool = strawberry.field(
        description="In the log (validated and stored); false too when the log no longer"
        " holds it (`missingFromLog`)."
    )
    recorded_at: dt.datetime | None = strawberry.field(
        description="When the log accepted it (with its UTC offset); null when not in the log."
    )
    applied_by: list[StageName] = strawberry.field(description="The services that have applied it.")
    refused_by: list[StageName] = strawberry.field(
        description="The services that refused it (the dead letters say why): INGEST when"
        " the log never took it, and each service that read a record of it the log does not"
        " hold (written to a Kafka topic past ingest or the registry). A refusal by the"
        " registry is the event's verdict: no other service acts on it."
    )
    pending: list[StageName] = strawberry.field(
        description="What the event still waits for; empty once it has had all its effects."
        " INGEST while the log does not hold it and nothing has refused it: on its way"
        " to the log (or an id never sent, or sent to a Kafka namespace no ingest reads),"
        " with the services that take its kind after it when its type is known (a receipt's,"
        " the API knowing what it sent; `eventStatus` names them once the log holds it);"
        " then the services that take this kind of event and have not applied or refused"
        " it yet."
    )
    dead_letters: list[DeadLetter] = strawberry.field(
        description="Why it was refused, by ingest or by a service, if it was."
    )
    missing_from_log: bool = strawberry.field(
        description="True when services applied or refused the event (`appliedBy`,"
        " `refusedBy`: their ledgers name it) but the log no longer holds it: it was removed"
        " from the event store since, by hand, and a rebuild would not apply it. Nothing is"
        " pending then; `vendorwatch verify` names it (`applied event(s) are not in the"
        " log`) and where the chain is broken. False otherwise."
    )

    # The event's id names it; its fields change as services apply the event.
    node_key_names = ("eventId",)

    def node_key(self) -> Key:
        return (str(self.event_id),)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[EventStatus | None]:
        # Open to every role, as `eventStatus` is; never null, as it is not.
        async with info.context.pool.acquire() as conn:
            return [
                await status_of(conn, uuid.UUID(event), info.context.handled_by)
                for (event,) in keys
            ]


async def status_of(
    conn: Connection,
    event_id: uuid.UUID,
    handled_by: Mapping[str, Collection[str]],
    sent_as: str | None = None,
) -> EventStatus:
    """The event's status; `handled_by`: event type → the services that take it; `sent_as`:
    the type the caller sent it as (a receipt's), for an event the log does not hold yet.

    One verdict: an event refused by the service that judges it (the registry), or by ingest
    at the door, reaches no other, so nothing is pending after that refusal; nor after a
    service refused a record the log does not hold (written to a topic past its writer). An
    event the log
    does not hold, and ingest has not refused, waits for ingest first: answered as having had
    all its effects (nothing pending), a receipt's wait that ran out, or a client polling
    `eventStatus` a moment before ingest stored it, took it as done.
    """
    found = await event_queries.status(conn, event_id, [stage.value for stage in StageName])
    letters = await dead_letters.of_event(conn, event_id)
    done = set(found.applied_by) | set(found.refused_by) | {d.stage for d in letters}
    in_log = found.recorded_at is not None
    # The services took it from the log, which has lost it since: waiting for nothing more.
    missing = not in_log and bool(found.applied_by or found.refused_by)
    event_type = found.event_type or sent_as
    takers = handled_by.get(event_type, ()) if event_type else ()
    # Refused though the log does not hold it: the input itself at ingest, or a record
    # written to `events` or `facts` past ingest or the registry, by each service that read
    # it (consuming/stored_only.py). Nothing waits then: no service applies what the log
    # does not hold.
    lettered = set() if in_log else {d.stage for d in letters}
    refused_unlogged = [s for s in StageName if s in lettered and s not in found.refused_by]
    refused = refused_unlogged + _stages(found.refused_by)
    pending = _stages([s for s in takers if s not in done])
    if missing or refused_unlogged or VERDICT_FROM in found.refused_by:
        pending = []
    elif not in_log:
        pending.insert(0, StageName.INGEST)
    return EventStatus(
        event_id=strawberry.ID(str(event_id)),
        accepted=in_log,
        recorded_at=found.recorded_at,
        applied_by=_stages(found.applied_by),
        refused_by=refused,
        pending=pending,
        dead_letters=[DeadLetter.of(d) for d in letters],
        missing_from_log=missing,
    )


async def wait_for_processing(
    pool: asyncpg.Pool,
    event_id: uuid.UUID,
    event_type: str,
    handled_by: Mapping[str, Collection[str]],
    seconds: float = WAIT_SECONDS,
) -> tuple[EventStatus, bool]:
    """Polls until the event the API sent as `event_type` is in the log and every service
    taking it has applied or refused it (or ingest refused it), or `seconds` pass: the status
    as it then stands, and whether the wait ran out first (something still pending)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        async with pool.acquire() as conn:
            current = await status_of(conn, event_id, handled_by, sent_as=event_type)
        if not current.pending:
            return current, False
        if asyncio.get_running_loop().time() >= deadline:
            return current, True
        await asyncio.sleep(_POLL_SECONDS)
