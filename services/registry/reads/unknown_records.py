"""The API's check that the sanction, the contract or the incident a change names is known: an
amendment or a lift of a sanction, an amendment, termination or subcontract request of a
contract, an investigation or a closing of an incident, that the vendor does not have is
refused in the receipt (`unknown_sanction` at `payload.sanction_id`, `unknown_contract` at
`payload.contract_id`, `unknown_incident` at `payload.incident_id`, the registry's words),
before the log, rather than accepted there and dead-lettered after. One whose creation by the
vendor the log holds counts as known, applied yet or not: sent a moment before, without
`waitForProcessing`, it is applied before the change, which travels after it in the vendor's
partition. Another vendor's record on record is `sanction_changes`' and `contract_changes`'
to tell (`other_vendors_sanction`, `other_vendors_contract`). Asked only where the log stores
what is sent before the receipt answers (`EventLog.stored_on_submit`, gateway/context.py).
"""

from __future__ import annotations

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.sanction import SanctionAmended, SanctionLifted
from services.platform.security.access import recorders_view
from services.registry.domain.contract_rules import ContractChange, unknown_contract
from services.registry.domain.imposition_rules import unknown_sanction
from services.registry.domain.record_steps import IncidentStep, unknown_incident
from services.registry.domain.refusals import Refusal, problem
from services.registry.storage.logged_records import record_known


async def unknown_record_check(pool: asyncpg.Pool, event: EventEnvelope) -> Problem | None:
    """One of `RequestContext.reading_checks`: one statement for a change of a sanction, a
    contract or an incident, none for any other event."""
    payload = event.payload
    field: str
    refusal: Refusal
    if isinstance(payload, SanctionAmended | SanctionLifted):
        field, record_id = "sanction_id", payload.sanction_id
        refusal = unknown_sanction(record_id)
    elif isinstance(payload, ContractChange | IncidentStep):
        if recorders_view(event.recorded_by) is not None:
            # A system owner hears of a contract or an incident not on record as of one of
            # another agency, in words that tell nothing of it (record_scope.out_of_view), and
            # of it once.
            return None
        if isinstance(payload, IncidentStep):
            field, record_id = "incident_id", payload.incident_id
            refusal = unknown_incident(event.vendor_id, record_id)
        else:
            field, record_id = "contract_id", payload.contract_id
            refusal = unknown_contract(event.vendor_id, record_id)
    else:
        return None
    async with pool.acquire() as conn:
        if await record_known(conn, field, event.vendor_id, record_id):
            return None
    return problem(refusal)
