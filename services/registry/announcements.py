"""What the registry tells others: the change feed, and vendor.eligibility_changed events.

An eligibility change is announced once, whether an event caused it (a sanction imposed,
lifted, amended; an affiliation) or the calendar did (a sanction starting or ending today with
no event at all). The announced state is kept per vendor; the events go through an outbox
written in the same transaction, relayed to the event log afterwards.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence

from services.events.base import EventEnvelope
from services.events.catalog import ENVELOPES, SCHEMA_VERSION
from services.events.emitted import EligibilityChanged, EligibilityReasonRef
from services.platform.database import Connection
from services.platform.event_store import canonical_json
from services.registry.eligibility import Eligibility
from services.registry.screening import screen

SOURCE = "vendorwatch.registry"

# Only one process at a time reconciles a day's eligibility (workers may run replicated).
_RECONCILE_LOCK_KEY = 0x5657_5245  # "VWRE"


async def record_changes(conn: Connection, vendor_ids: Iterable[str], kind: str) -> None:
    await conn.executemany(
        "INSERT INTO registry_changes (vendor_id, kind) VALUES ($1, $2)",
        [(vendor_id, kind) for vendor_id in sorted(set(vendor_ids))],
    )


def eligibility_event(answer: Eligibility, occurred_at: dt.datetime) -> EventEnvelope:
    payload = EligibilityChanged(
        as_of=answer.as_of,
        eligible=answer.eligible,
        reasons=[
            EligibilityReasonRef(
                sanction_id=r.sanction_id,
                kind=r.kind,
                authority=r.authority,
                starts_on=r.starts_on,
                ends_on=r.ends_on,
                via_vendor_id=r.via_vendor_id,
            )
            for r in answer.reasons
        ],
        eligible_again_on=answer.eligible_again_on,
    )
    return ENVELOPES[EligibilityChanged.event_type](
        event_id=uuid.uuid4(),
        event_type=EligibilityChanged.event_type,
        schema_version=SCHEMA_VERSION,
        occurred_at=occurred_at,
        source=SOURCE,
        vendor_id=answer.vendor_id,
        payload=payload,
    )


async def start_as_eligible(conn: Connection, vendor_id: str, today: dt.date) -> None:
    await conn.execute(
        "INSERT INTO registry_eligibility_state (vendor_id, eligible, as_of) VALUES ($1, true, $2)",
        vendor_id,
        today,
    )


async def reconcile(
    conn: Connection, vendor_ids: Sequence[str], today: dt.date, now: dt.datetime
) -> list[str]:
    """Re-evaluates these vendors for `today`; announces (outbox + change feed) those whose
    eligibility differs from what was last announced. Returns the vendors announced."""
    answers = await screen(conn, vendor_ids, today)
    rows = await conn.fetch(
        "SELECT vendor_id, eligible, eligible_again_on FROM registry_eligibility_state"
        " WHERE vendor_id = ANY($1::text[])",
        list(vendor_ids),
    )
    announced_before = {r["vendor_id"]: (r["eligible"], r["eligible_again_on"]) for r in rows}
    changed = []
    for vendor_id, answer in answers.items():
        before = announced_before.get(vendor_id, (True, None))  # new vendors start eligible
        if before != (answer.eligible, answer.eligible_again_on):
            changed.append(answer)
    await conn.executemany(
        """INSERT INTO registry_eligibility_state
               (vendor_id, eligible, eligible_again_on, as_of) VALUES ($1, $2, $3, $4)
           ON CONFLICT (vendor_id) DO UPDATE SET eligible = EXCLUDED.eligible,
               eligible_again_on = EXCLUDED.eligible_again_on, as_of = EXCLUDED.as_of,
               updated_at = now()""",
        [(a.vendor_id, a.eligible, a.eligible_again_on, today) for a in answers.values()],
    )
    await conn.executemany(
        "INSERT INTO registry_outbox (event) VALUES ($1)",
        [(canonical_json(eligibility_event(a, now)),) for a in changed],
    )
    await record_changes(conn, [a.vendor_id for a in changed], "eligibility")
    return [a.vendor_id for a in changed]


async def reconcile_due(
    conn: Connection, today: dt.date, now: dt.datetime, batch: int = 1000
) -> int:
    """The calendar's part: re-evaluates, once a day, every vendor not yet evaluated for
    `today`. Call in a transaction; a no-op while another process holds the job."""
    if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _RECONCILE_LOCK_KEY):
        return 0
    announced = 0
    while True:
        due = await conn.fetch(
            "SELECT vendor_id FROM registry_eligibility_state WHERE as_of < $1"
            " ORDER BY vendor_id LIMIT $2",
            today,
            batch,
        )
        if not due:
            return announced
        announced += len(await reconcile(conn, [r["vendor_id"] for r in due], today, now))
