"""SQL of vendor identity: vendors, identifiers, names, affiliation changes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.events.vendor import (
    AffiliationChange,
    VendorIdentifierRef,
    VendorKind,
    VendorRegistered,
)
from services.platform.eventstore.recorded_time import recorded_at_sql
from services.platform.postgres.database import Connection
from services.registry.domain.affiliations import AffiliationEvent
from services.registry.domain.names import IdentifierKey, normalize_identifier


@dataclass(frozen=True)
class FormerName:
    name: str
    used_until: dt.date | None


@dataclass(frozen=True)
class VendorRow:
    vendor_id: str
    legal_name: str
    name_kana: str | None
    name_en: str | None
    country: str | None
    aliases: tuple[str, ...]
    identifiers: tuple[IdentifierKey, ...]
    former_names: tuple[FormerName, ...] = ()
    kind: VendorKind | None = None  # None: not known

    @classmethod
    def registered(cls, vendor_id: str, payload: VendorRegistered) -> VendorRow:
        """The vendor as its registration describes it."""
        return cls(
            vendor_id=vendor_id,
            legal_name=payload.legal_name,
            name_kana=payload.name_kana,
            name_en=payload.name_en,
            country=payload.country,
            aliases=tuple(payload.aliases),
            identifiers=normalized_identifiers(payload.identifiers),
            kind=payload.kind,
        )

    def current_names(self) -> list[tuple[str, str]]:
        """(kind, name) of every name the vendor is searched by now; former names aside."""
        names: list[tuple[str, str | None]] = [
            ("legal", self.legal_name),
            ("kana", self.name_kana),
            ("english", self.name_en),
        ]
        names += [("alias", alias) for alias in self.aliases]
        return [(kind, name) for kind, name in names if name]


def normalized_identifiers(refs: Sequence[VendorIdentifierRef]) -> tuple[IdentifierKey, ...]:
    return tuple(normalize_identifier(r.scheme, r.value) for r in refs)


@dataclass(frozen=True)
class NameRow:
    vendor_id: str
    kind: str
    name: str


async def vendor_exists(conn: Connection, vendor_id: str) -> bool:
    found = await conn.fetchval("SELECT 1 FROM registry_vendors WHERE vendor_id = $1", vendor_id)
    return found is not None


async def registered_at(conn: Connection, vendor_id: str) -> dt.datetime | None:
    """When the log recorded the vendor's registration; None: no vendor has this id."""
    at: dt.datetime | None = await conn.fetchval(
        "SELECT recorded_at FROM registry_vendors WHERE vendor_id = $1", vendor_id
    )
    return at


async def existing_vendors(
    conn: Connection, vendor_ids: Sequence[str], known_at: dt.datetime | None = None
) -> set[str]:
    """Those of `vendor_ids` registered, as known at `known_at` (now, when None)."""
    rows = await conn.fetch(
        "SELECT vendor_id FROM registry_vendors WHERE vendor_id = ANY($1::text[])"
        " AND ($2::timestamptz IS NULL OR recorded_at <= $2)",
        list(vendor_ids),
        known_at,
    )
    return {r["vendor_id"] for r in rows}


async def unknown_vendors(
    conn: Connection, vendor_ids: Sequence[str], known_at: dt.datetime | None = None
) -> list[tuple[str, dt.datetime | None]]:
    """Those of `vendor_ids` not registered as known at `known_at` (now, when None), in their
    order, each with when it was registered after all (None: not at all): a screen of 5,000
    bidders reads back none of the 5,000 it knows, and its ids are planned as a set (see
    `sanction_repository.sanction_rows`)."""
    rows = await conn.fetch(
        """SELECT asked.vendor_id, v.recorded_at
           FROM unnest($1::text[]) WITH ORDINALITY AS asked(vendor_id, n)
           LEFT JOIN registry_vendors v ON v.vendor_id = asked.vendor_id
           WHERE v.vendor_id IS NULL OR v.recorded_at > $2::timestamptz
           ORDER BY asked.n""",
        list(vendor_ids),
        known_at,
    )
    return [(r["vendor_id"], r["recorded_at"]) for r in rows]


async def vendors_named(conn: Connection, prefix: str) -> set[str]:
    """The vendors whose id starts with `prefix` (an import's, `worldbank:`)."""
    rows = await conn.fetch(
        "SELECT vendor_id FROM registry_vendors WHERE starts_with(vendor_id, $1::text)", prefix
    )
    return {r["vendor_id"] for r in rows}


async def identifier_owners(
    conn: Connection, identifiers: Sequence[IdentifierKey]
) -> dict[IdentifierKey, str]:
    rows = await conn.fetch(
        """SELECT i.scheme, i.value, i.vendor_id FROM registry_vendor_identifiers i
           JOIN unnest($1::text[], $2::text[]) AS wanted(scheme, value)
             ON i.scheme = wanted.scheme AND i.value = wanted.value""",
        [i.scheme for i in identifiers],
        [i.value for i in identifiers],
    )
    return {IdentifierKey(r["scheme"], r["value"]): r["vendor_id"] for r in rows}


async def legal_name(conn: Connection, vendor_id: str) -> str | None:
    """The vendor's legal name; None: no vendor has this id."""
    name: str | None = await conn.fetchval(
        "SELECT legal_name FROM registry_vendors WHERE vendor_id = $1", vendor_id
    )
    return name


async def vendors_with_identifier_value(conn: Connection, value: str) -> list[tuple[str, str]]:
    """Vendors holding this (normalised) identifier value in any scheme, by id, each with its
    legal name: the name a search names the vendor by when its identifier matched."""
    rows = await conn.fetch(
        """SELECT DISTINCT i.vendor_id, v.legal_name
           FROM registry_vendor_identifiers i JOIN registry_vendors v USING (vendor_id)
           WHERE i.value = $1""",
        value,
    )
    return sorted((r["vendor_id"], r["legal_name"]) for r in rows)


async def insert_vendor(conn: Connection, vendor: VendorRow, event_id: uuid.UUID) -> None:
    await conn.execute(
        """INSERT INTO registry_vendors
               (vendor_id, legal_name, name_kana, name_en, country, event_id, kind)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        vendor.vendor_id,
        vendor.legal_name,
        vendor.name_kana,
        vendor.name_en,
        vendor.country,
        event_id,
        vendor.kind,
    )
    await replace_identifiers(conn, vendor.vendor_id, vendor.identifiers)
    await replace_current_names(conn, vendor)


async def insert_new_vendors(
    conn: Connection, vendors: Sequence[tuple[VendorRow, uuid.UUID]]
) -> None:
    """Registers vendors none of which is known yet (what `insert_vendor` does for each, in
    three statements however many): there are no identifiers or names to replace."""
    rows = [vendor for vendor, _ in vendors]
    # Dated in the statement (updated_at too, as the dating trigger does for a vendor).
    await conn.execute(
        f"""INSERT INTO registry_vendors (vendor_id, legal_name, name_kana, name_en, country,
                                          event_id, kind, recorded_at, updated_at)
           SELECT v.*, d.at, d.at
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[],
                       $7::text[])
                AS v(vendor_id, legal_name, name_kana, name_en, country, event_id, kind)
           CROSS JOIN LATERAL (SELECT {recorded_at_sql("v.event_id")}) AS d(at)""",
        [v.vendor_id for v in rows],
        [v.legal_name for v in rows],
        [v.name_kana for v in rows],
        [v.name_en for v in rows],
        [v.country for v in rows],
        [event_id for _, event_id in vendors],
        [v.kind for v in rows],
    )
    identifiers = [(i, v.vendor_id) for v in rows for i in v.identifiers]
    await conn.execute(
        """INSERT INTO registry_vendor_identifiers (scheme, value, vendor_id)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[])""",
        [i.scheme for i, _ in identifiers],
        [i.value for i, _ in identifiers],
        [vendor_id for _, vendor_id in identifiers],
    )
    names = [(v.vendor_id, kind, name) for v in rows for kind, name in v.current_names()]
    await conn.execute(
        """INSERT INTO registry_vendor_names (vendor_id, kind, name)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[])""",
        [vendor_id for vendor_id, _, _ in names],
        [kind for _, kind, _ in names],
        [name for _, _, name in names],
    )


async def update_vendor(conn: Connection, vendor: VendorRow, at: dt.datetime) -> None:
    """`at`: when the log recorded the change (a replay dates it alike)."""
    await conn.execute(
        """UPDATE registry_vendors SET legal_name = $2, name_kana = $3, name_en = $4,
               country = $5, updated_at = $6, kind = $7 WHERE vendor_id = $1""",
        vendor.vendor_id,
        vendor.legal_name,
        vendor.name_kana,
        vendor.name_en,
        vendor.country,
        at,
        vendor.kind,
    )
    await replace_current_names(conn, vendor)


async def replace_identifiers(
    conn: Connection, vendor_id: str, identifiers: Sequence[IdentifierKey]
) -> None:
    await conn.execute("DELETE FROM registry_vendor_identifiers WHERE vendor_id = $1", vendor_id)
    await conn.executemany(
        "INSERT INTO registry_vendor_identifiers (scheme, value, vendor_id) VALUES ($1, $2, $3)",
        [(i.scheme, i.value, vendor_id) for i in identifiers],
    )


async def replace_current_names(conn: Connection, vendor: VendorRow) -> None:
    """The searchable current names; former names stay."""
    await conn.execute(
        "DELETE FROM registry_vendor_names WHERE vendor_id = $1 AND kind <> 'former'",
        vendor.vendor_id,
    )
    await conn.executemany(
        "INSERT INTO registry_vendor_names (vendor_id, kind, name) VALUES ($1, $2, $3)",
        [(vendor.vendor_id, kind, name) for kind, name in vendor.current_names()],
    )


async def fetch_vendor(conn: Connection, vendor_id: str) -> VendorRow | None:
    return (await fetch_vendors(conn, [vendor_id])).get(vendor_id)


async def fetch_vendors(conn: Connection, vendor_ids: Sequence[str]) -> dict[str, VendorRow]:
    """The registered ones of these vendors, in three queries however many."""
    ids = list(vendor_ids)
    rows = await conn.fetch(
        "SELECT vendor_id, legal_name, name_kana, name_en, country, kind"
        " FROM registry_vendors WHERE vendor_id = ANY($1::text[])",
        ids,
    )
    names = await conn.fetch(
        "SELECT vendor_id, kind, name, used_until FROM registry_vendor_names"
        " WHERE vendor_id = ANY($1::text[]) AND kind IN ('alias', 'former')"
        " ORDER BY used_until, name",
        ids,
    )
    identifiers = await conn.fetch(
        "SELECT vendor_id, scheme, value FROM registry_vendor_identifiers"
        " WHERE vendor_id = ANY($1::text[]) ORDER BY scheme, value",
        ids,
    )
    names_of: dict[str, list[asyncpg.Record]] = defaultdict(list)
    for name in names:
        names_of[name["vendor_id"]].append(name)
    identifiers_of: dict[str, list[IdentifierKey]] = defaultdict(list)
    for i in identifiers:
        identifiers_of[i["vendor_id"]].append(IdentifierKey(i["scheme"], i["value"]))
    found = {}
    for row in rows:
        vendor_id = row["vendor_id"]
        own = names_of[vendor_id]
        found[vendor_id] = VendorRow(
            vendor_id=vendor_id,
            legal_name=row["legal_name"],
            name_kana=row["name_kana"],
            name_en=row["name_en"],
            country=row["country"],
            aliases=tuple(n["name"] for n in own if n["kind"] == "alias"),
            identifiers=tuple(identifiers_of[vendor_id]),
            former_names=tuple(
                FormerName(n["name"], n["used_until"]) for n in own if n["kind"] == "former"
            ),
            kind=VendorKind(row["kind"]) if row["kind"] else None,
        )
    return found


async def vendor_page(conn: Connection, after: str | None, limit: int) -> list[str]:
    """Vendor ids in id order after a cursor (at most `limit`): read by the key's index up to
    the last, however many vendors there are."""
    rows = await conn.fetch(
        "SELECT vendor_id FROM registry_vendors WHERE ($1::text IS NULL OR vendor_id > $1)"
        " ORDER BY vendor_id LIMIT $2",
        after,
        limit,
    )
    return [r["vendor_id"] for r in rows]


async def vendor_count(conn: Connection) -> int:
    """How many vendors are registered: a read of the whole table (34 ms at 250,000 vendors),
    for those who show it (`registeredVendors { totalCount }`), not for each page read."""
    total: int = await conn.fetchval("SELECT count(*) FROM registry_vendors")
    return total


async def insert_affiliation_change(
    conn: Connection,
    vendor_id: str,
    related_vendor_id: str,
    relation: str,
    change: AffiliationChange,
    effective_on: dt.date,
    event_id: uuid.UUID,
) -> None:
    await conn.execute(
        """INSERT INTO registry_affiliation_changes
               (vendor_id, related_vendor_id, relation, change, effective_on, event_id)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        vendor_id,
        related_vendor_id,
        relation,
        change.value,
        effective_on,
        event_id,
    )


# Which affiliation changes touch the ids: each statement is planned for its values, and
# `= ANY` is planned per element (20 ms for 5,000 ids on both columns), while the ids joined
# as a set cost more for a few (1 id: 0.40 against 0.20 ms; 5,000: 11.7 against 16.1 ms).
_TOUCHING_ANY = "a.vendor_id = ANY($1::text[]) OR a.related_vendor_id = ANY($1::text[])"
_TOUCHING_SET = """a.id IN (
        SELECT x.id FROM registry_affiliation_changes x
        WHERE x.vendor_id IN (SELECT unnest($1::text[]))
        UNION ALL
        SELECT x.id FROM registry_affiliation_changes x
        WHERE x.related_vendor_id IN (SELECT unnest($1::text[])))"""
AS_A_SET_FROM = 100


async def affiliation_events(
    conn: Connection, vendor_ids: Sequence[str], known_at: dt.datetime | None
) -> list[AffiliationEvent]:
    """The affiliation changes touching any of `vendor_ids`, as recorded by `known_at`."""
    touching = _TOUCHING_SET if len(vendor_ids) >= AS_A_SET_FROM else _TOUCHING_ANY
    rows = await conn.fetch(
        f"""SELECT a.vendor_id, a.related_vendor_id, a.change, a.effective_on
            FROM registry_affiliation_changes a
            WHERE ({touching}) AND ($2::timestamptz IS NULL OR a.recorded_at <= $2)
            ORDER BY a.id""",
        list(vendor_ids),
        known_at,
    )
    return [
        AffiliationEvent(
            r["vendor_id"],
            r["related_vendor_id"],
            AffiliationChange(r["change"]),
            r["effective_on"],
        )
        for r in rows
    ]


async def countries(conn: Connection, vendor_ids: Sequence[str]) -> dict[str, str | None]:
    """The country of each of these registered vendors (None when not recorded)."""
    rows = await conn.fetch(
        "SELECT vendor_id, country FROM registry_vendors WHERE vendor_id = ANY($1::text[])",
        list(vendor_ids),
    )
    return {r["vendor_id"]: r["country"] for r in rows}
