"""The API's check of a rename against the vendor's names on record: a rename effective
before the vendor's latest one, or one that changes nothing, is refused in the receipt, in
the registry's words, rather than accepted there and dead-lettered after
(`rename_rules.rename_problem`)."""

from __future__ import annotations

import datetime as dt

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.vendor import VendorRenamed
from services.registry.domain.rename_rules import rename_problem
from services.registry.storage.vendor_names import names_on_record


async def rename_check(pool: asyncpg.Pool, event: EventEnvelope) -> Problem | None:
    """One of `RequestContext.reading_checks`: reads the vendor's names (one keyed row) only
    for a rename, and lets any other event pass unread."""
    if not isinstance(event.payload, VendorRenamed):
        return None
    async with pool.acquire() as conn:
        names = await names_on_record(conn, event.vendor_id)
    # The log records the event after this moment, never before it.
    return rename_problem(event, names, dt.datetime.now(dt.UTC))
