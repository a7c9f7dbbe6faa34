"""The consumers' check, in distributed mode, that what they read from `events` and `facts`
is in the log (the API's live fan-out checks `facts` the same way).

Only ingest writes `events` and only the registry writes `facts`
(services/platform/README.md, "Who may write what"); ingest stores every event before it
sends it, as the store holds it (`canonical_json`, whose SHA-256 is the row's
`content_hash`), and the registry passes on what it read there, as the store holds it. A
record written to either topic past them, on a broker without the ACLs that enforce who
writes what (the unauthenticated default), is no stored event: applied, the registry acted
on what the log never recorded, and through `facts` every follower did (a forged suspension
barred a vendor; a forged announcement opened a migration plan), then `verify` found ledgers
naming events not in the log. Written straight to `facts`, it reached the followers
unjudged: migration and the alerts applied a forged award, and risk failed on it
(`risk_events` names only stored events), so `eventStatus` said the log did not hold what
two services had applied. So is a record reusing a stored event's id with other content (a
suspension's period lengthened): the registry applied it, if it came before the stored one,
while the log held the other, and a rebuild then undid it. Checked by each record's bytes
against the stored row's content hash, one statement a batch; embedded mode's consumers read
the store itself and pay nothing for it.

Neither is claimed in the ledger: a forger could then take an id ahead of the event that
bears it, which the ledger would take for refused when it came.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.events.base import EventEnvelope
from services.platform.consuming.dead_letters import DeadLetter
from services.platform.eventstore.chain import content_hash_of
from services.platform.postgres.database import ConnectionSource


@dataclass(frozen=True)
class StoredOnly:
    """Admits of a batch read from `topic` the events the store holds as they were read,
    and dead-letters the others (a `consumer.Admission`)."""

    topic: str
    writer: str  # the only process that may write the topic
    writes: str  # how it writes it, which a record past it does not

    @property
    def not_stored(self) -> str:
        return f"not in the event log: {self._only}"

    @property
    def not_as_stored(self) -> str:
        return (
            "not the event the log holds under its id: its content differs from the stored"
            f" one's, and {self._only}"
        )

    @property
    def _only(self) -> str:
        return (
            f"only {self.writer} writes the {self.topic} topic, {self.writes}"
            f" (was it written to the topic past {self.writer}?)"
        )

    async def __call__(
        self,
        pool: ConnectionSource,
        stage: str,
        envelopes: Sequence[EventEnvelope],
        read_from: Sequence[bytes],
    ) -> tuple[list[EventEnvelope], list[DeadLetter]]:
        """The events the store holds as they were read (`read_from`, each event's bytes),
        and a dead letter of `stage` for each other."""
        kept, refused = await self.sort(pool, envelopes, read_from)
        letters = [
            DeadLetter(
                stage=stage,
                reason=reason,
                raw=raw,
                event_id=event.event_id,
                event_type=event.event_type,
            )
            for event, raw, reason in refused
        ]
        return kept, letters

    async def sort(
        self,
        pool: ConnectionSource,
        envelopes: Sequence[EventEnvelope],
        read_from: Sequence[bytes],
    ) -> tuple[list[EventEnvelope], list[tuple[EventEnvelope, bytes, str]]]:
        """The events the store holds as they were read, and each other with its bytes and
        why it is refused."""
        if not envelopes:
            return [], []
        async with pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT event_id, content_hash FROM event_store WHERE event_id = ANY($1::uuid[])",
                [e.event_id for e in envelopes],
            )
        stored = {r["event_id"]: r["content_hash"] for r in rows}
        kept: list[EventEnvelope] = []
        refused: list[tuple[EventEnvelope, bytes, str]] = []
        for event, raw in zip(envelopes, read_from, strict=True):
            held = stored.get(event.event_id)
            if held is not None and content_hash_of(raw) == held:
                kept.append(event)
            else:
                refused.append(
                    (event, raw, self.not_stored if held is None else self.not_as_stored)
                )
        return kept, refused


# What the registry reads: ingest sends each event as it stored it.
EVENTS = StoredOnly("events", "ingest", "storing each event first")
# What risk, migration, the alerts and the API's live fan-out read: the registry passes on
# stored events as read.
FACTS = StoredOnly("facts", "the registry", "passing on events the log holds, as it holds them")
