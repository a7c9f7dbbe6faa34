"""The API's check of an event adding a record (a vendor's registration, a sanction's
imposition, an award, a subcontract request, an incident report, a claim, a certificate) whose
id is on record already: the registry would refuse it
(an award sent twice, say, each time as a new event), so the receipt refuses it, before the
log, rather than accepting it and the registry dead-lettering it after
(`record_ids.taken_refusal`). The same event sent again is the log's to answer, before any
check (`receipts.submit`), so it is never refused here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.sanction import SanctionImposed
from services.events.vendor import VendorRegistered, VendorUpdated
from services.platform.postgres.database import Connection
from services.registry.domain.names import IdentifierKey
from services.registry.domain.record_ids import (
    identifiers_taken_refusal,
    registered_refusal,
    sanction_taken_refusal,
    taken_refusal,
)
from services.registry.domain.refusals import problem
from services.registry.storage import sanction_repository
from services.registry.storage.new_records import ACROSS_VENDORS, NEW_RECORDS
from services.registry.storage.vendor_repository import (
    identifier_owners,
    normalized_identifiers,
    vendor_exists,
)


async def taken_check(pool: asyncpg.Pool, event: EventEnvelope) -> Problem | None:
    """One of `RequestContext.reading_checks`: looks the new record's id up (one keyed row),
    and lets any other event pass unread."""
    if isinstance(event.payload, VendorRegistered | SanctionImposed):
        return await _identity_taken(pool, event)
    if isinstance(event.payload, VendorUpdated) and event.payload.identifiers is not None:
        given = normalized_identifiers(event.payload.identifiers)
        async with pool.acquire() as conn:
            return await _identifiers_taken(conn, event.vendor_id, given)
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


async def _identity_taken(pool: asyncpg.Pool, event: EventEnvelope) -> Problem | None:
    """A registration of a vendor on record, or an imposition of a sanction id on record (any
    vendor's: ids are unique across vendors). Vendors and sanctions are everyone's to read,
    and those who may record these are never limited to some agencies, so the refusal tells
    no one of what they could not see. A sanction id taken is refused whether or not its
    vendor is registered yet: the registry refuses the event either way (as an unknown
    vendor's, or once the registration on its way is applied, as taken). So are a
    registration's identifiers held by another vendor: identifiers are everyone's to read
    too (a search by one finds its vendor)."""
    async with pool.acquire() as conn:
        if isinstance(event.payload, SanctionImposed):
            sanction_id = event.payload.sanction_id
            taken = await sanction_repository.sanction_taken(conn, sanction_id)
            return problem(sanction_taken_refusal(sanction_id)) if taken else None
        if await vendor_exists(conn, event.vendor_id):
            return problem(registered_refusal(event.vendor_id))
        registered = cast(VendorRegistered, event.payload)
        given = normalized_identifiers(registered.identifiers)
        return await _identifiers_taken(conn, event.vendor_id, given)


async def _identifiers_taken(
    conn: Connection, vendor_id: str, identifiers: Sequence[IdentifierKey]
) -> Problem | None:
    """Identifiers a registration or an update gives that another vendor holds, read in the
    form the registry stores them (a corporate number in full width or with hyphens is the
    same number). One race is left to the registry: an update on its way that takes the
    identifier from its holder, after which the registry accepts what this refused; the other
    way round (an identifier taken by an event on its way) it refuses what this accepted, as
    it must."""
    owners = await identifier_owners(conn, identifiers)
    if clashes := {i: owner for i, owner in owners.items() if owner != vendor_id}:
        return problem(identifiers_taken_refusal("payload.identifiers", clashes))
    return None
