"""The API's check of an affiliation change against the log as it stands: a related vendor
neither registered nor logged, the end of a relation that does not stand, a relation added
the other way round from one standing or as it stands already are refused in the receipt,
before the log, rather than accepted there and dead-lettered after
(`affiliation_rules.affiliation_refusal`). It reads what the registry's handler reads, with
the receipt's moment for the change's (and any registration of the related vendor the log
holds, whatever its time says against the API's clock: the change is recorded after it):
what the log records later never counts for the change, so only a refusal by the registry of
a change or a registration logged before it can make the registry judge it otherwise. Refused
whenever it is asked, as the receipt's other `no_change` checks are: nothing is recorded of
what a receipt refuses.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.vendor import VendorAffiliationChanged
from services.registry.domain.affiliation_rules import (
    affiliation_refusal,
    own_affiliate_refusal,
)
from services.registry.domain.refusals import problem
from services.registry.storage.affiliation_links import pair_links
from services.registry.storage.named_records import vendor_known


async def affiliation_check(pool: asyncpg.Pool, event: EventEnvelope) -> Problem | None:
    """One of `RequestContext.reading_checks`: two keyed statements for an affiliation
    change, none for any other event."""
    payload = event.payload
    if not isinstance(payload, VendorAffiliationChanged):
        return None
    if own_affiliate_refusal(event.vendor_id, payload) is not None:
        return None  # refused by the receipt's own check, nothing read (own_affiliate_check)
    now = dt.datetime.now(dt.UTC)
    async with pool.acquire() as conn:
        known = await vendor_known(conn, payload.related_vendor_id)
        pair = await pair_links(conn, event, now)
    return problem(affiliation_refusal(event.vendor_id, payload, known, pair))
