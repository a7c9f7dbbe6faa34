"""The API's check of the former names a rename or an update would list: more than a vendor
keeps is refused in the receipt (`former_name_limits.py`), nothing recorded."""

from __future__ import annotations

import datetime as dt

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.vendor import VendorRenamed, VendorUpdated
from services.registry.domain.former_name_limits import former_names_refusal, replacement
from services.registry.domain.refusals import problem
from services.registry.domain.rename_rules import NAMING_FIELDS
from services.registry.storage.vendor_names import former_names_counted, names_on_record


def _may_replace_a_name(event: EventEnvelope) -> bool:
    payload = event.payload
    if isinstance(payload, VendorRenamed):
        return True
    return isinstance(payload, VendorUpdated) and any(f in payload.changes() for f in NAMING_FIELDS)


async def former_name_check(pool: asyncpg.Pool, event: EventEnvelope) -> Problem | None:
    """One of `RequestContext.reading_checks`: reads the vendor's names (one keyed row) and
    counts its former names only for an event that may replace a name; a vendor not on
    record passes (`unknown_vendor` is another check's)."""
    if not _may_replace_a_name(event):
        return None
    async with pool.acquire() as conn:
        names = await names_on_record(conn, event.vendor_id)
        # The log records the event after this moment, never before it (rename_changes.py).
        replacing = None if names is None else replacement(event, names, dt.datetime.now(dt.UTC))
        if replacing is None:
            return None
        held, added = await former_names_counted(
            conn, event.vendor_id, replacing.names, replacing.used_until
        )
    return problem(former_names_refusal(event.vendor_id, replacing, held, added))
