"""The records a step names as judging the step needs them (`record_steps`' headers), one
keyed row each, read by the registry's handlers and the API's receipt alike."""

from __future__ import annotations

from services.platform.postgres.database import Connection
from services.registry.domain.record_steps import ClaimHeader, IncidentHeader, SubcontractHeader


async def subcontract_header(conn: Connection, subcontract_id: str) -> SubcontractHeader | None:
    """The subcontract, whichever vendor's it is (its id is the agency's, unique across
    vendors); None: not on record."""
    row = await conn.fetchrow(
        """SELECT vendor_id, contract_id, status, decided_on FROM registry_subcontracts
           WHERE subcontract_id = $1""",
        subcontract_id,
    )
    if row is None:
        return None
    return SubcontractHeader(row["vendor_id"], row["contract_id"], row["status"], row["decided_on"])


async def incident_header(
    conn: Connection, vendor_id: str, incident_id: str
) -> IncidentHeader | None:
    """The vendor's incident (its ids are the vendor's own); None: not on record."""
    row = await conn.fetchrow(
        """SELECT occurred_on, closed_on FROM registry_incidents
           WHERE vendor_id = $1 AND incident_id = $2""",
        vendor_id,
        incident_id,
    )
    return None if row is None else IncidentHeader(row["occurred_on"], row["closed_on"])


async def claim_header(conn: Connection, vendor_id: str, claim_id: str) -> ClaimHeader | None:
    """The vendor's claim (its ids are the vendor's own); None: not on record."""
    row = await conn.fetchrow(
        """SELECT filed_on, currency, settled_on FROM registry_claims
           WHERE vendor_id = $1 AND claim_id = $2""",
        vendor_id,
        claim_id,
    )
    return None if row is None else ClaimHeader(row["filed_on"], row["currency"], row["settled_on"])
