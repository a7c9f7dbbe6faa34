"""The records a step names as judging the step needs them (`record_steps`' headers), one
keyed row each, read by the registry's handlers and the API's receipt alike."""

from __future__ import annotations

from services.platform.postgres.database import Connection
from services.registry.domain.record_steps import SubcontractHeader


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
