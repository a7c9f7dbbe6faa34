"""The API's check that the records an event names are known: an amendment or a lift of a
sanction, an amendment, termination or subcontract request of a contract, a decision on a
subcontract or a re-subcontract of one, an investigation or a closing of an incident, a
settlement of a claim, and an incident report or a claim naming a contract or an incident,
that the vendor does not have is refused in the receipt (`unknown_sanction`,
`unknown_contract`, `unknown_subcontract`, `unknown_incident`, `unknown_claim`, at the field
naming it, the registry's words), before the log, rather than accepted there and
dead-lettered after. One whose creation by the vendor the log holds counts as known, applied
yet or not: sent a moment before, without `waitForProcessing`, it is applied before the
event, which travels after it in the vendor's partition. Another vendor's record on record is
the other reading checks' to tell (`other_vendors_sanction`, `other_vendors_contract`,
`other_vendors_subcontract`). Asked only where the log stores what is sent before the receipt
answers (`EventLog.stored_on_submit`, gateway/context.py).
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.contract import SubcontractRequested
from services.events.incident import IncidentReported
from services.events.sanction import ClaimFiled, ClaimSettled, SanctionAmended, SanctionLifted
from services.platform.eventstore.later_rules import judged_by_later_rules
from services.platform.security.access import recorders_view
from services.registry.domain.contract_rules import ContractChange, unknown_contract
from services.registry.domain.imposition_rules import unknown_sanction
from services.registry.domain.record_steps import (
    IncidentStep,
    SubcontractDecision,
    unknown_claim,
    unknown_subcontract,
)
from services.registry.domain.reference_rules import unknown_incident
from services.registry.domain.refusals import Refusal, problem
from services.registry.reads.record_scope import SCOPED_FIELDS
from services.registry.storage.logged_records import records_known


def _fields(event: EventEnvelope) -> tuple[str, ...]:
    """The payload's fields naming records the registry must hold, or the log create, for the
    event, in the order the registry asks about them (a subcontract's contract before its
    parent, a claim's incident before its contract)."""
    payload = event.payload
    if isinstance(payload, SanctionAmended | SanctionLifted):
        return ("sanction_id",)
    if isinstance(payload, SubcontractRequested):
        return ("contract_id", "parent_subcontract_id")
    if isinstance(payload, ContractChange):
        return ("contract_id",)
    if isinstance(payload, SubcontractDecision):
        return ("subcontract_id",)
    if isinstance(payload, IncidentStep):
        return ("incident_id",)
    if isinstance(payload, ClaimSettled):
        return ("claim_id",)
    # What an incident report or a claim names is judged from the later rules on
    # (reference_rules); the receipt's instant stands for the recording's, which is later.
    if not judged_by_later_rules(dt.datetime.now(dt.UTC)):
        return ()
    if isinstance(payload, ClaimFiled):
        return ("incident_id", "contract_id")
    if isinstance(payload, IncidentReported):
        return ("contract_id",)  # its own incident_id is the one it records
    return ()


# The kind of record a field names, where its name is not its id's (logged_records' kinds).
_KIND = {"parent_subcontract_id": "subcontract_id"}


def _unknown(field: str, vendor_id: str, record_id: str) -> Refusal:
    """The registry's refusal of an event whose `field` names a record it does not know."""
    if field == "sanction_id":
        return unknown_sanction(record_id)
    if field == "contract_id":
        return unknown_contract(vendor_id, record_id)
    if field == "incident_id":
        return unknown_incident(vendor_id, record_id)
    if field == "claim_id":
        return unknown_claim(vendor_id, record_id)
    return unknown_subcontract(vendor_id, field, record_id)


async def unknown_record_check(pool: asyncpg.Pool, event: EventEnvelope) -> Problem | None:
    """One of `RequestContext.reading_checks`: one statement for an event naming records,
    none for any other; the first record unknown, as the registry names it."""
    fields = _fields(event)
    if recorders_view(event.recorded_by) is not None:
        # A system owner hears of a contract, a subcontract or an incident not on record as
        # of one of another agency, in words that tell nothing of it (record_scope.out_of_view),
        # and of it once.
        fields = tuple(f for f in fields if f not in SCOPED_FIELDS)
    named = [(f, record_id) for f in fields if (record_id := getattr(event.payload, f)) is not None]
    if not named:
        return None
    async with pool.acquire() as conn:
        known = await records_known(conn, event.vendor_id, [(_KIND.get(f, f), i) for f, i in named])
    for (field, record_id), is_known in zip(named, known, strict=True):
        if not is_known:
            return problem(_unknown(field, event.vendor_id, record_id))
    return None
