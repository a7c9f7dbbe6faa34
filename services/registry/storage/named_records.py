"""Which of the records some events name the registry holds (reference_rules), and when the
log recorded the named vendors' registrations: at most four statements, however many events
name them; and whether one vendor is known so (`vendor_known`)."""

from __future__ import annotations

import datetime as dt

from services.events.vendor import VendorRegistered
from services.platform.postgres.database import Connection
from services.registry.domain.reference_rules import Known, Named
from services.registry.storage import vendor_repository

# When the log first recorded a registration of each vendor: one probe per vendor of the
# registrations' index (platform migration 0012), its earliest, however many the log holds
# (the index is partial: the type is written here as its predicate is, for the planner to
# use it whatever the statement's parameters).
_FIRST_REGISTRATIONS = f"""
    SELECT v.vendor_id, first.recorded_at FROM unnest($1::text[]) AS v(vendor_id)
    CROSS JOIN LATERAL (
        SELECT e.recorded_at FROM event_store e
        WHERE e.vendor_id = v.vendor_id AND e.event_type = '{VendorRegistered.event_type}'
        ORDER BY e.recorded_at LIMIT 1
    ) AS first"""

# Later than anything the log records.
_AFTER_ALL = dt.datetime.max.replace(tzinfo=dt.UTC)


async def known_records(conn: Connection, named: Named) -> Known:
    """The registered vendors, the contracts' owners and the incidents (the day each
    occurred) among `named`, and when the log first recorded a registration of each named
    vendor."""
    registered: set[str] = set()
    logged: dict[str, dt.datetime] = {}
    if named.vendors:
        registered = await vendor_repository.existing_vendors(conn, sorted(named.vendors))
        if unregistered := sorted(named.vendors - registered):
            rows = await conn.fetch(_FIRST_REGISTRATIONS, unregistered)
            logged = {r["vendor_id"]: r["recorded_at"] for r in rows}
    owners: dict[str, str] = {}
    if named.contracts:
        rows = await conn.fetch(
            "SELECT contract_id, vendor_id FROM registry_contracts"
            " WHERE contract_id = ANY($1::text[])",
            sorted(named.contracts),
        )
        owners = {r["contract_id"]: r["vendor_id"] for r in rows}
    incidents: dict[tuple[str, str], dt.date] = {}
    if named.incidents:
        keys = sorted(named.incidents)
        rows = await conn.fetch(
            """SELECT i.vendor_id, i.incident_id, i.occurred_on FROM registry_incidents i
               JOIN unnest($1::text[], $2::text[]) AS k(vendor_id, incident_id)
                 USING (vendor_id, incident_id)""",
            [vendor_id for vendor_id, _ in keys],
            [incident_id for _, incident_id in keys],
        )
        incidents = {(r["vendor_id"], r["incident_id"]): r["occurred_on"] for r in rows}
    return Known(registered, owners, incidents, logged)


async def vendor_known(conn: Connection, vendor_id: str, at: dt.datetime | None = None) -> bool:
    """Whether the vendor is registered, or the log recorded its registration by `at`
    (`reference_rules.Known.knows_vendor`): a keyed row, and one probe of the log when it is
    not registered. `at` None (a receipt's): any registration the log holds now, since the
    event asked about is recorded after it, whatever the API's clock says of the log's."""
    known = await known_records(conn, Named(vendors=frozenset({vendor_id})))
    return known.knows_vendor(vendor_id, _AFTER_ALL if at is None else at)
