"""Whether the records an event names are known: on record in the registry (any vendor's
sanction, contract or subcontract, whose vendor the receipt's other checks judge; the
vendor's own incident or claim, as those are numbered per vendor), or their creation by the
naming vendor in the log, still to be applied (sent a moment before without
waitForProcessing). One statement for all an event names (a claim names an incident and a
contract): for each, a keyed row and one probe of the log's index of impositions, awards,
subcontract requests, incident reports or claim filings (platform migrations 0015, 0019,
0021)."""

from __future__ import annotations

from collections.abc import Sequence

from services.events.contract import ContractAwarded, SubcontractRequested
from services.events.incident import IncidentReported
from services.events.sanction import ClaimFiled, SanctionImposed
from services.platform.postgres.database import Connection

# Each kind of record, by the name of its id: its table in the registry, the event of the log
# creating it, and whether the table holds it per vendor; the log's index reads the id as its
# expression is written here.
_CREATED = {
    "sanction_id": ("registry_sanctions", SanctionImposed.event_type, False),
    "contract_id": ("registry_contracts", ContractAwarded.event_type, False),
    "subcontract_id": ("registry_subcontracts", SubcontractRequested.event_type, False),
    "incident_id": ("registry_incidents", IncidentReported.event_type, True),
    "claim_id": ("registry_claims", ClaimFiled.event_type, True),
}


def _known(kind: str, parameter: int) -> str:
    """Whether the record of `kind` whose id is the statement's `parameter` is known ($1 is
    the vendor)."""
    table, created_by, per_vendor = _CREATED[kind]
    own = " AND vendor_id = $1" if per_vendor else ""
    return f"""(EXISTS (SELECT FROM {table} WHERE {kind} = ${parameter}{own})
        OR EXISTS (
            SELECT FROM event_store e
            WHERE e.vendor_id = $1 AND e.event_type = '{created_by}'
              AND e.envelope #>> '{{payload,{kind}}}' = ${parameter}))"""


async def records_known(
    conn: Connection, vendor_id: str, named: Sequence[tuple[str, str]]
) -> list[bool]:
    """Whether each record named (one or more: kind and id, the kinds of `_CREATED`) is on
    record, or the log holds `vendor_id`'s creation of it (whatever its time says against the
    API's clock: an event asked about is recorded after it); in their order."""
    probes = ", ".join(f"{_known(kind, n)} AS known_{n}" for n, (kind, _) in enumerate(named, 2))
    row = await conn.fetchrow(f"SELECT {probes}", vendor_id, *(i for _, i in named))
    assert row is not None  # a SELECT without FROM gives its one row
    return [bool(known) for known in row.values()]
