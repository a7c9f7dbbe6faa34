"""Records by their keys, for the API's `node(id:)`: the statements of the record pages
(record_repository.py), filtered to the ids asked, with the same agency filters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import asyncpg

from services.platform.postgres.database import Connection
from services.registry.reads import record_scope
from services.registry.storage.record_paging import fetch_pages
from services.registry.storage.record_repository import (
    CertificateRecord,
    ClaimRecord,
    ContractRecord,
    IncidentRecord,
    SanctionRecord,
    SubcontractRecord,
    agency_filter,
    sanction_timelines,
)


async def _named(
    conn: Connection,
    table: str,
    key: str,
    ids: Sequence[str],
    scope: tuple[str, list[str] | None],
    vendor_ids: Sequence[str] | None = None,
) -> list[asyncpg.Record]:
    """The rows of `table` whose `key` is one of `ids` (of these vendors, when given) that
    pass the agency filter: the page functions' statement, filtered to those ids."""
    wanted = sorted(set(ids))
    pages = await fetch_pages(
        conn,
        table,
        key,
        vendor_ids,
        first=len(wanted),
        after=None,
        filters=[(f"{key} = ANY({{0}}::text[])", wanted), scope],
        count=False,  # nothing shows a total here (a page per vendor is counted anyway)
    )
    return [row for page in pages.values() for row in page.records]


async def contracts_named(
    conn: Connection, contract_ids: Sequence[str], agencies: Sequence[str] | None
) -> dict[str, ContractRecord]:
    scope = agency_filter(record_scope.CONTRACTS, agencies)
    rows = await _named(conn, "registry_contracts", "contract_id", contract_ids, scope)
    return {r["contract_id"]: ContractRecord.from_row(r) for r in rows}


async def subcontracts_named(
    conn: Connection, subcontract_ids: Sequence[str], agencies: Sequence[str] | None
) -> dict[str, SubcontractRecord]:
    scope = agency_filter(record_scope.SUBCONTRACTS, agencies)
    rows = await _named(conn, "registry_subcontracts", "subcontract_id", subcontract_ids, scope)
    return {r["subcontract_id"]: SubcontractRecord.from_row(r) for r in rows}


VendorKey = tuple[str, str]  # (vendor id, the record's id): incidents, claims, certificates
R = TypeVar("R")


async def _per_vendor(
    conn: Connection,
    keys: Sequence[VendorKey],
    agencies: Sequence[str] | None,
    record: tuple[str, str, str],
    of: Callable[[asyncpg.Record], R],
) -> dict[VendorKey, R]:
    """The records of these keys: `record` is their table, id column and agency filter."""
    table, key, scope = record
    vendors = sorted({vendor for vendor, _ in keys})
    rows = await _named(
        conn, table, key, [i for _, i in keys], agency_filter(scope, agencies), vendors
    )
    found = {(r["vendor_id"], r[key]): r for r in rows}
    return {k: of(found[k]) for k in keys if k in found}


async def incidents_named(
    conn: Connection, keys: Sequence[VendorKey], agencies: Sequence[str] | None
) -> dict[VendorKey, IncidentRecord]:
    record = ("registry_incidents", "incident_id", record_scope.INCIDENTS)
    return await _per_vendor(conn, keys, agencies, record, IncidentRecord.from_row)


async def claims_named(
    conn: Connection, keys: Sequence[VendorKey], agencies: Sequence[str] | None
) -> dict[VendorKey, ClaimRecord]:
    record = ("registry_claims", "claim_id", record_scope.CLAIMS)
    return await _per_vendor(conn, keys, agencies, record, ClaimRecord.from_row)


async def certificates_named(
    conn: Connection, keys: Sequence[VendorKey], agencies: Sequence[str] | None
) -> dict[VendorKey, CertificateRecord]:
    record = ("registry_certificates", "certificate_id", record_scope.CERTIFICATES)
    return await _per_vendor(conn, keys, agencies, record, CertificateRecord.from_row)


async def sanctions_named(
    conn: Connection, sanction_ids: Sequence[str]
) -> dict[str, SanctionRecord]:
    """These sanctions as they stand (amended, lifted), read from their vendors' timelines."""
    rows = await conn.fetch(
        "SELECT DISTINCT vendor_id FROM registry_sanctions WHERE sanction_id = ANY($1::text[])",
        list(sanction_ids),
    )
    timelines = await sanction_timelines(conn, sorted(r["vendor_id"] for r in rows))
    return {i: SanctionRecord.of(timelines[i]) for i in sanction_ids if i in timelines}
