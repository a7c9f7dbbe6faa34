"""Registry handlers: vendor and sanction events → registry state (each in its own savepoint
of the batch's transaction, see platform/consumer.py)."""

from __future__ import annotations

from typing import cast

from services.events.base import EventEnvelope
from services.events.sanction import SanctionImposed
from services.events.vendor import VendorRegistered
from services.platform.consumer import Consumer, DomainRejection
from services.platform.database import Connection
from services.registry import repository
from services.registry.eligibility import Sanction
from services.registry.periods import sanction_last_day
from services.registry.repository import IdentifierRow, SanctionRecord, VendorRow

CONSUMER_NAME = "registry"


async def on_vendor_registered(conn: Connection, event: EventEnvelope) -> None:
    payload = cast(VendorRegistered, event.payload)
    if await repository.vendor_exists(conn, event.vendor_id):
        raise DomainRejection(
            f"vendor_id: {event.vendor_id!r} is already registered;"
            " send vendor.updated to change it"
        )
    identifiers = tuple(IdentifierRow(i.scheme, i.value) for i in payload.identifiers)
    owners = await repository.identifier_owners(conn, identifiers)
    if owners:
        clashes = ", ".join(f"{i.scheme} {i.value} (vendor {v})" for i, v in owners.items())
        raise DomainRejection(f"payload.identifiers: already belong to another vendor: {clashes}")
    await repository.insert_vendor(
        conn,
        VendorRow(
            vendor_id=event.vendor_id,
            legal_name=payload.legal_name,
            name_kana=payload.name_kana,
            name_en=payload.name_en,
            country=payload.country,
            aliases=tuple(payload.aliases),
            identifiers=identifiers,
        ),
        event.event_id,
    )


async def on_sanction_imposed(conn: Connection, event: EventEnvelope) -> None:
    payload = cast(SanctionImposed, event.payload)
    if not await repository.vendor_exists(conn, event.vendor_id):
        raise DomainRejection(
            f"vendor_id: unknown vendor {event.vendor_id!r}; register it before sanctioning it"
        )
    if await repository.sanction_exists(conn, payload.sanction_id):
        raise DomainRejection(
            f"payload.sanction_id: {payload.sanction_id!r} already exists;"
            " send sanction.amended to change it"
        )
    sanction = Sanction(
        sanction_id=payload.sanction_id,
        vendor_id=event.vendor_id,
        kind=payload.kind,
        authority=payload.authority,
        starts_on=payload.starts_on,
        last_day=sanction_last_day(
            payload.starts_on,
            duration_months=payload.duration_months,
            duration_days=payload.duration_days,
            ends_on=payload.ends_on,
        ),
        agencies=tuple(payload.agencies) if payload.agencies is not None else None,
        categories=tuple(payload.categories) if payload.categories is not None else None,
    )
    await repository.insert_sanction(
        conn,
        SanctionRecord(
            sanction=sanction,
            decided_on=payload.decided_on,
            covers_affiliates=payload.covers_affiliates,
            grounds=tuple(payload.grounds),
            reason=payload.reason,
        ),
        event.event_id,
    )


REGISTRY_CONSUMER = Consumer(
    CONSUMER_NAME,
    {
        VendorRegistered.event_type: on_vendor_registered,
        SanctionImposed.event_type: on_sanction_imposed,
    },
)
