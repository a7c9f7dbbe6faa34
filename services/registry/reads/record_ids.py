"""The API's check of an event adding a record (an award, a subcontract request, an incident
report, a claim, a certificate) whose id is on record already: the registry would refuse it
(an award sent twice, say, each time as a new event), so the receipt refuses it, before the
log, rather than accepting it and the registry dead-lettering it after
(`record_ids.taken_refusal`). The same event sent again is the log's to answer, before any
check (`receipts.submit`), so it is never refused here.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.platform.security.access import recorders_view
from services.registry.domain.record_ids import taken_refusal
from services.registry.domain.refusals import problem
from services.registry.reads.record_scope import IN_VIEW
from services.registry.storage.new_records import ACROSS_VENDORS, NEW_RECORDS


async def taken_check(pool: asyncpg.Pool, event: EventEnvelope) -> Problem | None:
    """One of `RequestContext.reading_checks`: looks the new record's id up (one keyed row),
    and lets any other event pass unread."""
    created = NEW_RECORDS.get(event.event_type)
    if created is None:
        return None
    table, key = created
    record_id: str = getattr(event.payload, key)
    conditions, args = [f"{key} = $1"], [record_id]
    if table not in ACROSS_VENDORS:
        conditions.append("vendor_id = $2")
        args.append(event.vendor_id)
    agencies = recorders_view(event.recorded_by)
    if agencies is not None:
        # A record of another agency holding the id is told of by nothing: that the id is
        # taken would tell a system owner of it. The registry refuses the event after.
        conditions.append(IN_VIEW[table].format(f"${len(args) + 1}"))
    values: list[Any] = [*args] if agencies is None else [*args, list(agencies)]
    sql = f"SELECT EXISTS (SELECT 1 FROM {table} WHERE {' AND '.join(conditions)})"
    async with pool.acquire() as conn:
        taken = await conn.fetchval(sql, *values)
    return problem(taken_refusal(key, record_id)) if taken else None
