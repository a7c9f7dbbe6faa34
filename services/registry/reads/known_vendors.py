"""The API's check that the vendors an event names are known to the registry: an event the
registry refuses of a vendor it does not hold (`known_vendors.OF_REGISTERED_VENDORS`: an
award, an imposition, an incident, a claim of `vendor-zzz`, which nobody registered) is refused
in the receipt (`unknown_vendor`, at `vendor_id`, the typed mutations' `vendorId`), before the
log, rather than accepted there and dead-lettered after; so is an incident report naming as
its causer a vendor the registry does not hold (`unknown_vendor` at
`payload.caused_by_vendor_id`, `reference_rules.unknown_causer`). A vendor whose registration
the log holds counts as known, registered yet or not: sent a moment before, without
`waitForProcessing`, it is applied before the event (the vendor's own travels before it in its
partition; a causer's is recorded before it, which is what the registry asks of a causer).
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.incident import IncidentReported
from services.platform.eventstore.later_rules import judged_by_later_rules
from services.registry.domain.known_vendors import OF_REGISTERED_VENDORS, unknown_vendor_refusal
from services.registry.domain.reference_rules import unknown_causer
from services.registry.domain.refusals import Refusal, problem
from services.registry.storage.named_records import vendor_known


def _named(event: EventEnvelope) -> list[tuple[str, Refusal]]:
    """The vendors the registry must know for the event, in the order it asks about them,
    each with its refusal of one it does not: the event's own, then an incident's causer
    (judged from the later rules on, reference_rules; the receipt's instant stands for the
    recording's, which is later)."""
    named: list[tuple[str, Refusal]] = []
    if event.event_type in OF_REGISTERED_VENDORS:
        named.append((event.vendor_id, unknown_vendor_refusal(event.vendor_id)))
    payload = event.payload
    causer = payload.caused_by_vendor_id if isinstance(payload, IncidentReported) else None
    if causer is not None and judged_by_later_rules(dt.datetime.now(dt.UTC)):
        named.append((causer, unknown_causer(causer)))
    return named


async def known_vendor_check(pool: asyncpg.Pool, event: EventEnvelope) -> Problem | None:
    """One of `RequestContext.reading_checks`: for each vendor named, a keyed row, and one
    probe of the log's registrations when it is not registered; the first not known, as the
    registry names it; nothing read for any other event."""
    named = _named(event)
    if not named:
        return None
    async with pool.acquire() as conn:
        for vendor_id, refusal in named:
            if not await vendor_known(conn, vendor_id):
                return problem(refusal)
    return None
