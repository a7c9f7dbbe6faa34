"""Refusals the receipt may give only once the registry has judged what the log holds of the
vendor. A few of the receipt's checks compare a change with the record as the registry holds
it and refuse it for being the same as it (`no_change`) or past it (`after_end`); an earlier
change still in the log, sent a moment before without waitForProcessing (a contract extended,
then terminated after its old end; a vendor renamed, then renamed back), would have moved
that record by the time the registry judges this one, which it then accepts. So those
refusals stand only where the log stores what is sent before the receipt answers (embedded
mode, `EventLog.stored_on_submit`) and the registry has judged the vendor's last event there:
one probe of the log's index by vendor and one keyed row of its ledger. Elsewhere the
registry judges them, from the same rules (later_rules)."""

from __future__ import annotations

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import EMITTED_TYPES, Problem
from services.platform.eventstore.event_store import VERDICT_FROM
from services.platform.graphql.context import ReadingCheck
from services.platform.postgres.database import Connection

# The codes of refusals judged against a record that an earlier change may still move.
UNSETTLED = frozenset({"no_change", "after_end"})


def settled_only(check: ReadingCheck, *, stored_on_submit: bool) -> ReadingCheck:
    """`check`, its `UNSETTLED` refusals given only when nothing of the vendor awaits the
    registry's judgement in the log. The check is asked again once that is known: the record
    it read first may have been read before the registry applied the vendor's last change
    (a refusal is rare, so only a refusal costs the probe and the second read)."""

    async def settled(pool: asyncpg.Pool, event: EventEnvelope) -> Problem | None:
        found = await check(pool, event)
        if found is None or found.code not in UNSETTLED:
            return found
        if not stored_on_submit:
            return None
        async with pool.acquire() as conn:
            if not await all_judged(conn, event.vendor_id):
                return None
        # Everything logged before this request is judged now: the record read from here on
        # is the one the registry will judge the event against.
        return await check(pool, event)

    return settled


async def all_judged(conn: Connection, vendor_id: str) -> bool:
    """Whether the registry has judged every event of the vendor's the log holds that it
    judges (its last one: the registry judges each partition in order, and a vendor's events
    share one; the services' own announcements about the vendor are not the registry's to
    judge, and stand after its events)."""
    judged: bool | None = await conn.fetchval(
        """SELECT EXISTS (SELECT FROM processed_events p
                          WHERE p.consumer = $2 AND p.event_id = last.event_id)
           FROM (SELECT event_id FROM event_store
                 WHERE vendor_id = $1 AND event_type <> ALL($3::text[])
                 ORDER BY position DESC LIMIT 1) AS last""",
        vendor_id,
        VERDICT_FROM,
        sorted(EMITTED_TYPES),
    )
    return judged is None or judged
