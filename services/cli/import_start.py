"""What a list import starts from (`vendorwatch import`, cli/importing.py): every vendor the
registry holds, with its identifiers, and what earlier imports of the same list recorded,
read into the import's scratch database a page at a time, so that memory stays bounded
whatever the registry's size. The OCDS import reads the registry's vendors with the same
pages (cli/ocds_importing.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg

from services.events.vendor import VendorKind
from services.imports.deltas import RecordedSanction
from services.imports.events import lift_id
from services.imports.resolution import Known
from services.imports.scratch import Scratch
from services.imports.scratch_vendors import BATCH
from services.platform.postgres import database
from services.registry.domain.names import IdentifierKey
from services.registry.storage import sanction_repository

# Every vendor with its kind, its current names (the legal name first), its aliases in their
# order: what an imported entity may join. A page at a time, by vendor id ($1: the previous
# page's last).
_KNOWN = """SELECT v.vendor_id, v.country, v.kind,
    coalesce(array_agg(n.name ORDER BY n.kind <> 'legal', n.recorded)
             FILTER (WHERE n.kind <> 'former'), '{}') AS names,
    coalesce(array_agg(n.name ORDER BY n.recorded) FILTER (WHERE n.kind = 'alias'), '{}') AS aliases
    FROM registry_vendors v LEFT JOIN registry_vendor_names n USING (vendor_id)
    WHERE v.vendor_id > $1 GROUP BY v.vendor_id, v.country, v.kind ORDER BY v.vendor_id LIMIT $2"""
# Every vendor's identifiers, a page at a time by (scheme, value).
_IDENTIFIERS = """SELECT scheme, value, vendor_id FROM registry_vendor_identifiers
    WHERE (scheme, value) > ($1, $2) ORDER BY scheme, value LIMIT $3"""


async def keyed_pages(
    conn: asyncpg.Connection, query: str, key: str
) -> AsyncIterator[list[asyncpg.Record]]:
    """The rows of `query` a page (scratch_vendors.BATCH) at a time, by keyset: the query
    takes the last page's `key` ($1, "" first) and the page size ($2), ordered by `key`."""
    after = ""
    while rows := await conn.fetch(query, after, BATCH):
        yield rows
        after = rows[-1][key]


async def identifier_pages(conn: asyncpg.Connection) -> AsyncIterator[list[asyncpg.Record]]:
    """Every identifier of the registry's vendors (scheme, value, vendor_id), a page
    (scratch_vendors.BATCH) at a time."""
    last = ("", "")
    while rows := await conn.fetch(_IDENTIFIERS, *last, BATCH):
        yield rows
        last = (rows[-1]["scheme"], rows[-1]["value"])


async def _load_known(conn: asyncpg.Connection, scratch: Scratch) -> None:
    """Every vendor the registry holds, with its identifiers, into the import's scratch
    database a page (scratch_vendors.BATCH) at a time: memory bounded whatever its size."""
    async for rows in keyed_pages(conn, _KNOWN, "vendor_id"):
        scratch.vendors.learn(
            Known(
                r["vendor_id"],
                r["country"],
                tuple(r["names"]),
                tuple(r["aliases"]),
                kind=VendorKind(r["kind"]) if r["kind"] else None,
            )
            for r in rows
        )
    async for rows in identifier_pages(conn):
        for r in rows:
            scratch.vendors.identify(r["vendor_id"], (IdentifierKey(r["scheme"], r["value"]),))


async def recorded_state(database_url: str, source: str, scratch: Scratch) -> None:
    """What the import starts from: the registry's vendors and what earlier imports of the
    list recorded, read into `scratch` a page at a time."""
    conn = await database.connect(database_url)
    try:
        await _load_known(conn, scratch)
        after = ""
        while page := await sanction_repository.timelines_named(conn, f"{source}:", after, BATCH):
            lifted = {t.sanction_id for t in page if any(terms.lifted for terms in t.terms)}
            by_list = await sanction_repository.lifted_by(
                conn, {sid: lift_id(sid) for sid in lifted}
            )
            scratch.sanctions.record(
                (
                    t.sanction_id,
                    RecordedSanction(
                        t.vendor_id,
                        t.terms[-1].last_day,
                        t.sanction_id in lifted,
                        t.starts_on,
                        t.decision.reason,
                        t.authority,
                        t.sanction_id in by_list,
                        len(t.terms) - 1,  # one terms a change, after the imposition's
                    ),
                )
                for t in page
            )
            after = page[-1].sanction_id
    finally:
        await conn.close()
