"""The API's check of an event adding a record (a sanction's imposition, an award, a
subcontract request, an incident report, a claim, a certificate) whose id is on record
already: the registry would refuse it (an award sent twice, say, each time as a new
event), so the receipt refuses it, before the log, rather than accepting it and the
registry dead-lettering it after (`record_ids.taken_refusal`). The same event sent again
is the log's to answer, before any check (`receipts.submit`), so it is never refused here.
A vendor's registration, and the identifiers it or an update gives, are
`identity_claims.py`'s.
"""

from __future__ import annotations

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.sanction import SanctionImposed
from services.registry.domain.record_ids import sanction_taken_refusal, taken_refusal
from services.registry.domain.refusals import problem
from services.registry.storage import sanction_repository
from services.registry.storage.new_records import ACROSS_VENDORS, NEW_RECORDS


async def taken_check(pool: asyncpg.Pool, event: EventEnvelope) -> Problem | None:
    """One of `RequestContext.reading_checks`: looks the new record's id up (one keyed row),
    and lets any other event pass unread. A sanction id is refused whoever's sanction holds
    it (ids are unique across vendors), whether or not its vendor is registered yet: the
    registry refuses the event either way (as an unknown vendor's, or once the registration
    on its way is applied, as taken). Sanctions are everyone's to read, and those who may
    impose them are never limited to some agencies, so the refusal tells no one of what they
    could not see."""
    if isinstance(event.payload, SanctionImposed):
        sanction_id = event.payload.sanction_id
        async with pool.acquire() as conn:
            taken = await sanction_repository.sanction_taken(conn, sanction_id)
        return problem(sanction_taken_refusal(sanction_id)) if taken else None
    created = NEW_RECORDS.get(event.event_type)
    if created is None:
        return None
    table, key = created
    record_id: str = getattr(event.payload, key)
    conditions, args = [f"{key} = $1"], [record_id]
    if table not in ACROSS_VENDORS:
        conditions.append("vendor_id = $2")
        args.append(event.vendor_id)
    # Refused whoever's record holds the id, another agency's too, in words that name no
    # record (`taken_refusal`): a system owner learns only that the id is not free, as the
    # registry would tell after, and not whether a record they cannot see holds it.
    sql = f"SELECT EXISTS (SELECT 1 FROM {table} WHERE {' AND '.join(conditions)})"
    async with pool.acquire() as conn:
        taken = await conn.fetchval(sql, *args)
    return problem(taken_refusal(key, record_id)) if taken else None
