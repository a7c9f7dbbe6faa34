"""The judge's check, in distributed mode, that what it reads from `events` is in the log.

Only ingest writes that topic (services/platform/README.md, "Who may write what"), and it
stores every event before it sends it. A record written there past ingest, on a broker
without the ACLs that enforce who writes what (the unauthenticated default), is no stored
event: applied, the registry acted on what the log never recorded, and through `facts`
every follower did (a forged suspension barred a vendor; a forged announcement opened a
migration plan), then `verify` found ledgers naming events not in the log. Checked by id,
type and vendor against the store, one statement a batch: a record reusing a stored event's
id with other content is the one left to the ledger (applied once, whichever came first).
"""

from __future__ import annotations

from collections.abc import Sequence

from services.events.base import EventEnvelope
from services.platform.consuming.dead_letters import DeadLetter
from services.platform.eventstore.event_store import canonical_json
from services.platform.postgres.database import ConnectionSource

NOT_STORED = (
    "not in the event log: only ingest writes the events topic, storing each event first"
    " (was it written to the topic past ingest?)"
)


async def stored_only(
    pool: ConnectionSource, stage: str, envelopes: Sequence[EventEnvelope]
) -> tuple[list[EventEnvelope], list[DeadLetter]]:
    """The events the store holds (as their id, type and vendor say), and a dead letter of
    `stage` for each other."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT event_id, event_type, vendor_id FROM event_store"
            " WHERE event_id = ANY($1::uuid[])",
            [e.event_id for e in envelopes],
        )
    stored = {r["event_id"]: (r["event_type"], r["vendor_id"]) for r in rows}
    kept: list[EventEnvelope] = []
    letters: list[DeadLetter] = []
    for event in envelopes:
        if stored.get(event.event_id) == (event.event_type, event.vendor_id):
            kept.append(event)
        else:
            letters.append(
                DeadLetter(
                    stage=stage,
                    reason=NOT_STORED,
                    raw=canonical_json(event),
                    event_id=event.event_id,
                    event_type=event.event_type,
                )
            )
    return kept, letters
