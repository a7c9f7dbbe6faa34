"""Whether a sanction or a contract a change names is known: on record in the registry (any
vendor's), or its creation by the changing vendor in the log, still to be applied (sent a
moment before without waitForProcessing). One statement, a keyed row and one probe of the
log's index of impositions or awards (platform migration 0015)."""

from __future__ import annotations

from services.events.contract import ContractAwarded
from services.events.sanction import SanctionImposed
from services.platform.postgres.database import Connection

# The field naming each record, its table in the registry and the event of the log creating
# it; the log's index reads the field as its expression is written here.
_CREATED = {
    "sanction_id": ("registry_sanctions", SanctionImposed.event_type),
    "contract_id": ("registry_contracts", ContractAwarded.event_type),
}


async def record_known(conn: Connection, field: str, vendor_id: str, record_id: str) -> bool:
    """Whether the record `field` names (`sanction_id`, `contract_id`) is on record, or the
    log holds `vendor_id`'s creation of it (whatever its time says against the API's clock:
    a change asked about is recorded after it)."""
    table, created_by = _CREATED[field]
    known: bool = await conn.fetchval(
        f"""SELECT EXISTS (SELECT FROM {table} WHERE {field} = $2)
            OR EXISTS (
                SELECT FROM event_store e
                WHERE e.vendor_id = $1 AND e.event_type = '{created_by}'
                  AND e.envelope #>> '{{payload,{field}}}' = $2)""",
        vendor_id,
        record_id,
    )
    return known
