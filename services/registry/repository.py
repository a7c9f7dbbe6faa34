"""SQL of the registry: writes from handlers, reads for queries."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from services.events.sanction import SanctionKind
from services.platform.database import Connection
from services.registry.eligibility import Sanction


@dataclass(frozen=True)
class IdentifierRow:
    scheme: str
    value: str


@dataclass(frozen=True)
class VendorRow:
    vendor_id: str
    legal_name: str
    name_kana: str | None
    name_en: str | None
    country: str | None
    aliases: tuple[str, ...]
    identifiers: tuple[IdentifierRow, ...]


async def vendor_exists(conn: Connection, vendor_id: str) -> bool:
    found = await conn.fetchval("SELECT 1 FROM registry_vendors WHERE vendor_id = $1", vendor_id)
    return found is not None


async def identifier_owners(
    conn: Connection, identifiers: Sequence[IdentifierRow]
) -> dict[IdentifierRow, str]:
    rows = await conn.fetch(
        """SELECT i.scheme, i.value, i.vendor_id FROM registry_vendor_identifiers i
           JOIN unnest($1::text[], $2::text[]) AS wanted(scheme, value)
             ON i.scheme = wanted.scheme AND i.value = wanted.value""",
        [i.scheme for i in identifiers],
        [i.value for i in identifiers],
    )
    return {IdentifierRow(r["scheme"], r["value"]): r["vendor_id"] for r in rows}


async def insert_vendor(conn: Connection, vendor: VendorRow, event_id: uuid.UUID) -> None:
    await conn.execute(
        """INSERT INTO registry_vendors
               (vendor_id, legal_name, name_kana, name_en, country, aliases, event_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        vendor.vendor_id,
        vendor.legal_name,
        vendor.name_kana,
        vendor.name_en,
        vendor.country,
        list(vendor.aliases),
        event_id,
    )
    await conn.executemany(
        "INSERT INTO registry_vendor_identifiers (scheme, value, vendor_id) VALUES ($1, $2, $3)",
        [(i.scheme, i.value, vendor.vendor_id) for i in vendor.identifiers],
    )


async def sanction_exists(conn: Connection, sanction_id: str) -> bool:
    found = await conn.fetchval(
        "SELECT 1 FROM registry_sanctions WHERE sanction_id = $1", sanction_id
    )
    return found is not None


@dataclass(frozen=True)
class SanctionRecord:
    sanction: Sanction
    decided_on: dt.date
    covers_affiliates: bool
    grounds: tuple[str, ...]
    reason: str | None


async def insert_sanction(conn: Connection, record: SanctionRecord, event_id: uuid.UUID) -> None:
    s = record.sanction
    await conn.execute(
        """INSERT INTO registry_sanctions
               (sanction_id, vendor_id, kind, authority, decided_on, starts_on, last_day,
                agencies, categories, covers_affiliates, grounds, reason, event_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)""",
        s.sanction_id,
        s.vendor_id,
        s.kind.value,
        s.authority,
        record.decided_on,
        s.starts_on,
        s.last_day,
        list(s.agencies) if s.agencies is not None else None,
        list(s.categories) if s.categories is not None else None,
        record.covers_affiliates,
        list(record.grounds),
        record.reason,
        event_id,
    )


async def fetch_vendor(conn: Connection, vendor_id: str) -> VendorRow | None:
    row = await conn.fetchrow(
        "SELECT vendor_id, legal_name, name_kana, name_en, country, aliases"
        " FROM registry_vendors WHERE vendor_id = $1",
        vendor_id,
    )
    if row is None:
        return None
    identifiers = await conn.fetch(
        "SELECT scheme, value FROM registry_vendor_identifiers WHERE vendor_id = $1"
        " ORDER BY scheme, value",
        vendor_id,
    )
    return VendorRow(
        vendor_id=row["vendor_id"],
        legal_name=row["legal_name"],
        name_kana=row["name_kana"],
        name_en=row["name_en"],
        country=row["country"],
        aliases=tuple(row["aliases"]),
        identifiers=tuple(IdentifierRow(i["scheme"], i["value"]) for i in identifiers),
    )


async def fetch_sanctions(conn: Connection, vendor_id: str) -> list[Sanction]:
    rows = await conn.fetch(
        "SELECT sanction_id, vendor_id, kind, authority, starts_on, last_day, agencies,"
        " categories FROM registry_sanctions WHERE vendor_id = $1 ORDER BY starts_on",
        vendor_id,
    )
    return [
        Sanction(
            sanction_id=r["sanction_id"],
            vendor_id=r["vendor_id"],
            kind=SanctionKind(r["kind"]),
            authority=r["authority"],
            starts_on=r["starts_on"],
            last_day=r["last_day"],
            agencies=tuple(r["agencies"]) if r["agencies"] is not None else None,
            categories=tuple(r["categories"]) if r["categories"] is not None else None,
        )
        for r in rows
    ]
