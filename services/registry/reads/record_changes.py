"""The API's check of a step on a record against the record as the registry holds it: what
the registry would refuse (a decision on a subcontract decided already, of another vendor or
under another contract; a re-subcontract of another vendor's subcontract or of one under
another contract; an investigation or a closing of an incident closed already, or dated
before the incident occurred; a settlement of a claim settled already, in another currency
or dated before the filing) is refused in the receipt, before the log, rather than accepted
there and dead-lettered after (`record_steps.step_problem`).
"""

from __future__ import annotations

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.contract import SubcontractRequested
from services.events.sanction import ClaimSettled
from services.platform.postgres.database import Connection
from services.registry.domain.record_steps import (
    Header,
    IncidentStep,
    RecordStep,
    SubcontractDecision,
    step_problem,
)
from services.registry.reads.record_scope import judged_in_view
from services.registry.storage.record_headers import (
    claim_header,
    incident_header,
    subcontract_header,
)


async def _header(conn: Connection, event: EventEnvelope) -> Header | None:
    """The record the step names, as judging it needs it (None: not on record, or none)."""
    payload = event.payload
    if isinstance(payload, SubcontractDecision):
        return await subcontract_header(conn, payload.subcontract_id)
    if isinstance(payload, SubcontractRequested) and payload.parent_subcontract_id is not None:
        return await subcontract_header(conn, payload.parent_subcontract_id)
    if isinstance(payload, IncidentStep):
        return await incident_header(conn, event.vendor_id, payload.incident_id)
    if isinstance(payload, ClaimSettled):
        return await claim_header(conn, event.vendor_id, payload.claim_id)
    return None


async def record_check(pool: asyncpg.Pool, event: EventEnvelope) -> Problem | None:
    """One of `RequestContext.reading_checks`: reads the record a step names (one keyed row),
    and lets any other event, or a subcontract request naming no parent, pass unread."""
    payload = event.payload
    if not isinstance(payload, RecordStep):
        return None
    if isinstance(payload, SubcontractRequested) and payload.parent_subcontract_id is None:
        return None
    return await judged_in_view(pool, event, lambda conn: _header(conn, event), step_problem)
