"""Whether the log holds contract events the migration service has yet to apply that may give
a vendor running work at an agency: what a receipt must wait for before it may say that
nothing of the vendor's runs there (`plan_receipts.plan_request_refusals`)."""

from __future__ import annotations

from services.events.contract import (
    ContractAmended,
    ContractAwarded,
    SubcontractApproved,
    SubcontractRequested,
)
from services.platform.consuming.consumer import VERDICT_FROM
from services.platform.postgres.database import Connection

# What may make a contract run with the vendor: its award, an amendment extending an ended
# term, and for a subcontractor the request and approval (on the prime contractor's log).
_BRINGING_WORK = [
    ContractAwarded.event_type,
    ContractAmended.event_type,
    SubcontractRequested.event_type,
    SubcontractApproved.event_type,
]


async def work_on_its_way(conn: Connection, consumer: str, vendor_id: str, agency: str) -> bool:
    """Whether the log holds an event of `_BRINGING_WORK` that `consumer` (migration) has not
    applied and the registry has not refused, about `agency`: an award there, or a change of a
    contract there migration knows; the vendor's own, or its prime contractors' on the
    contracts there migration knows it subcontracts. One statement, by the log's index of each
    vendor's events and the ledger's key.

    Not seen: a subcontract whose request migration has not applied either, from a prime
    contractor it knows no other subcontract of there (the request names its subcontractor
    only in its payload, which no index reads)."""
    found: bool = await conn.fetchval(
        """WITH vendors AS (
               SELECT $1::text AS vendor_id
               UNION
               SELECT c.vendor_id FROM migration_subcontracts s
               JOIN migration_contracts c USING (contract_id)
               WHERE s.subcontractor_vendor_id = $1 AND c.agency = $2
           ), there AS (
               SELECT contract_id FROM migration_contracts
               WHERE agency = $2 AND vendor_id IN (SELECT vendor_id FROM vendors)
           )
           SELECT EXISTS (
               SELECT 1 FROM event_store e
               WHERE e.vendor_id IN (SELECT vendor_id FROM vendors)
                 AND e.event_type = ANY($3::text[])
                 AND (e.envelope->'payload'->>'agency' = $2
                      OR e.envelope->'payload'->>'contract_id' IN (SELECT contract_id FROM there))
                 AND NOT EXISTS (SELECT 1 FROM processed_events p
                                 WHERE p.consumer = $4 AND p.event_id = e.event_id)
                 AND NOT EXISTS (SELECT 1 FROM processed_events r
                                 WHERE r.consumer = $5 AND r.event_id = e.event_id
                                   AND r.refused))""",
        vendor_id,
        agency,
        _BRINGING_WORK,
        consumer,
        VERDICT_FROM,
    )
    return found
