"""The API's check of what a registration or an update giving identifiers claims as the
vendor's alone: a vendor id registered already, and identifiers another vendor holds
(`record_ids.registered_refusal`, `identifiers_taken_refusal`, the registry's words and
codes), refused before the log rather than accepted and dead-lettered after.

Where the log stores the event before the receipt answers (`EventLog.stored_on_submit`), a
registration or an update logged a moment before without waitForProcessing, and not judged by
the registry yet, claims them too (`IDENTITY_CLAIM`): the registry applies it first, then
refuses this one. Two such receipts at once take turns from the check to the append (the
claim's keys, `receipt_turns.claiming`), so the second reads the first's event in the log.
Elsewhere (a send to Kafka, stored by ingest a moment later) only the registry's tables are
read (`identity_check`), and the registry refuses a claim racing another, as before.
"""

from __future__ import annotations

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.vendor import VendorRegistered, VendorUpdated
from services.platform.graphql.context import ClaimCheck
from services.platform.postgres.database import Connection
from services.registry.domain.names import IdentifierKey
from services.registry.domain.record_ids import identifiers_taken_refusal, registered_refusal
from services.registry.domain.refusals import problem
from services.registry.storage.vendor_identities import holders
from services.registry.storage.vendor_repository import normalized_identifiers


def _claimed(event: EventEnvelope) -> tuple[bool, tuple[IdentifierKey, ...]] | None:
    """Whether the event registers its vendor, and the identifiers it gives in the form the
    registry stores them; None: it claims neither."""
    if isinstance(event.payload, VendorRegistered):
        return True, normalized_identifiers(event.payload.identifiers)
    if isinstance(event.payload, VendorUpdated) and event.payload.identifiers is not None:
        return False, normalized_identifiers(event.payload.identifiers)
    return None


def claim_keys(event: EventEnvelope) -> list[str]:
    """What two receipts at once must not both be given: the vendor id a registration
    claims, and each identifier a registration or an update gives."""
    claimed = _claimed(event)
    if claimed is None:
        return []
    registering, identifiers = claimed
    own = [f"vendor\x1f{event.vendor_id}"] if registering else []
    return own + [f"identifier\x1f{i.scheme}\x1f{i.value}" for i in identifiers]


async def _problem(conn: Connection, event: EventEnvelope, *, unjudged: bool) -> Problem | None:
    """A vendor id registered, or identifiers held by another vendor; with `unjudged`, or
    claimed by an event the log holds that the registry has not judged yet. Vendors and
    identifiers are everyone's to read (a search by one finds its vendor), and those who may
    record these are never limited to some agencies, so the refusal tells no one of what they
    could not see. One race is left to the registry: an update on its way that takes the
    identifier from its holder, after which the registry accepts what this refused; the
    other way round (an identifier taken by an event on its way) it refuses what this
    accepted, as it must."""
    claimed = _claimed(event)
    if claimed is None:
        return None
    registering, identifiers = claimed
    held = await holders(
        conn,
        event.vendor_id,
        identifiers,
        registering=registering,
        event_id=event.event_id,
        unjudged=unjudged,
    )
    if held.registered or held.logged:
        return problem(registered_refusal(event.vendor_id))
    if held.identifiers:
        return problem(identifiers_taken_refusal("payload.identifiers", held.identifiers))
    return None


async def identity_check(pool: asyncpg.Pool, event: EventEnvelope) -> Problem | None:
    """One of `RequestContext.reading_checks` where the log is a send to Kafka: the registry's
    tables alone, one statement."""
    if _claimed(event) is None:
        return None
    async with pool.acquire() as conn:
        return await _problem(conn, event, unjudged=False)


async def _logged_problem(conn: Connection, event: EventEnvelope) -> Problem | None:
    return await _problem(conn, event, unjudged=True)


# One of `RequestContext.claim_checks` where the log stores the event before the receipt
# answers: the registry's tables and its backlog of such events, one statement.
IDENTITY_CLAIM = ClaimCheck(claim_keys, _logged_problem)
