"""The API's check that the vendor an event is about is known to the registry: an event the
registry refuses of a vendor it does not hold (`known_vendors.OF_REGISTERED_VENDORS`: an
award, an imposition, an incident, a claim of `vendor-zzz`, which nobody registered) is refused
in the receipt (`unknown_vendor`, at `vendor_id`, the typed mutations' `vendorId`), before the
log, rather than accepted there and dead-lettered after. A vendor whose registration the log
holds counts as known, registered yet or not: sent a moment before, without
`waitForProcessing`, it is applied before the event, which travels after it in the vendor's
partition.
"""

from __future__ import annotations

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.registry.domain.known_vendors import OF_REGISTERED_VENDORS, unknown_vendor_refusal
from services.registry.domain.refusals import problem
from services.registry.storage.named_records import vendor_known


async def known_vendor_check(pool: asyncpg.Pool, event: EventEnvelope) -> Problem | None:
    """One of `RequestContext.reading_checks`: a keyed row of the vendor, and one probe of the
    log's registrations when it is not registered; nothing read for any other event."""
    if event.event_type not in OF_REGISTERED_VENDORS:
        return None
    async with pool.acquire() as conn:
        if await vendor_known(conn, event.vendor_id):
            return None
    return problem(unknown_vendor_refusal(event.vendor_id))
