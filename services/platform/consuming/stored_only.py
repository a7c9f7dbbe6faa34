"""The judge's check, in distributed mode, that what it reads from `events` is in the log.

Only ingest writes that topic (services/platform/README.md, "Who may write what"), and it
stores every event before it sends it, as the store holds it (`canonical_json`, whose SHA-256
is the row's `content_hash`). A record written there past ingest, on a broker without the
ACLs that enforce who writes what (the unauthenticated default), is no stored event: applied,
the registry acted on what the log never recorded, and through `facts` every follower did (a
forged suspension barred a vendor; a forged announcement opened a migration plan), then
`verify` found ledgers naming events not in the log. So is a record reusing a stored event's
id with other content (a suspension's period lengthened): the registry applied it, if it came
before the stored one, while the log held the other, and a rebuild then undid it. Checked by
each record's bytes against the stored row's content hash, one statement a batch.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.events.base import EventEnvelope
from services.platform.consuming.dead_letters import DeadLetter
from services.platform.eventstore.chain import content_hash_of
from services.platform.postgres.database import ConnectionSource

NOT_STORED = (
    "not in the event log: only ingest writes the events topic, storing each event first"
    " (was it written to the topic past ingest?)"
)
NOT_AS_STORED = (
    "not the event the log holds under its id: its content differs from the stored one's,"
    " and only ingest writes the events topic, as it stored each event"
    " (was it written to the topic past ingest?)"
)


async def stored_only(
    pool: ConnectionSource,
    stage: str,
    envelopes: Sequence[EventEnvelope],
    read_from: Sequence[bytes],
) -> tuple[list[EventEnvelope], list[DeadLetter]]:
    """The events the store holds as they were read (`read_from`, each event's bytes), and a
    dead letter of `stage` for each other."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT event_id, content_hash FROM event_store WHERE event_id = ANY($1::uuid[])",
            [e.event_id for e in envelopes],
        )
    stored = {r["event_id"]: r["content_hash"] for r in rows}
    kept: list[EventEnvelope] = []
    letters: list[DeadLetter] = []
    for event, raw in zip(envelopes, read_from, strict=True):
        held = stored.get(event.event_id)
        if held is not None and content_hash_of(raw) == held:
            kept.append(event)
            continue
        letters.append(
            DeadLetter(
                stage=stage,
                reason=NOT_STORED if held is None else NOT_AS_STORED,
                raw=raw,
                event_id=event.event_id,
                event_type=event.event_type,
            )
        )
    return kept, letters
