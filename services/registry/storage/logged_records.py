"""Whether a sanction, a contract or an incident a change names is known: on record in the
registry (any vendor's sanction or contract; the vendor's own incident, as incidents are
numbered per vendor), or its creation by the changing vendor in the log, still to be applied
(sent a moment before without waitForProcessing). One statement, a keyed row and one probe of
the log's index of impositions, awards or incident reports (platform migrations 0015,
0019)."""

from __future__ import annotations

from services.events.contract import ContractAwarded
from services.events.incident import IncidentReported
from services.events.sanction import SanctionImposed
from services.platform.postgres.database import Connection

# The field naming each record, its table in the registry, the event of the log creating it,
# and whether the table holds it per vendor; the log's index reads the field as its
# expression is written here.
_CREATED = {
    "sanction_id": ("registry_sanctions", SanctionImposed.event_type, False),
    "contract_id": ("registry_contracts", ContractAwarded.event_type, False),
    "incident_id": ("registry_incidents", IncidentReported.event_type, True),
}


async def record_known(conn: Connection, field: str, vendor_id: str, record_id: str) -> bool:
    """Whether the record `field` names (`sanction_id`, `contract_id`, `incident_id`) is on
    record, or the log holds `vendor_id`'s creation of it (whatever its time says against the
    API's clock: a change asked about is recorded after it)."""
    table, created_by, per_vendor = _CREATED[field]
    own = " AND vendor_id = $1" if per_vendor else ""
    known: bool = await conn.fetchval(
        f"""SELECT EXISTS (SELECT FROM {table} WHERE {field} = $2{own})
            OR EXISTS (
                SELECT FROM event_store e
                WHERE e.vendor_id = $1 AND e.event_type = '{created_by}'
                  AND e.envelope #>> '{{payload,{field}}}' = $2)""",
        vendor_id,
        record_id,
    )
    return known
