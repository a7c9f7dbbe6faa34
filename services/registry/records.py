"""Record handlers: contract, subcontract, incident, claim and certificate events → the
registry's record of each vendor (migrations/0002_records.sql).

Like the other registry handlers each runs in its own savepoint (platform/consuming/consumer.py) and
says, with a `DomainRejection` naming the field, why an event cannot be applied: a new record
whose id is on record already (domain/record_ids.py), a change of a contract its rules refuse
(domain/contract_rules.py), a step on a record the vendor does not have or one already past
that step (a second decision on a subcontract, a closed incident investigated, a settled claim
settled again: domain/record_steps.py), an incident or claim naming records the registry does
not know (domain/reference_rules.py), or dated on a day that could not be true
(domain/record_dates.py). Each of those rules is pure, and the API's receipt asks it too, of
the records on record, so that what the registry would refuse is refused before the log.
The tables' columns are named like the payloads' fields, so a payload is stored by its own
field names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

import asyncpg

from services.events.base import EventEnvelope
from services.events.compliance import CertificateSubmitted
from services.events.contract import (
    ContractAmended,
    ContractAwarded,
    ContractTerminated,
    SubcontractApproved,
    SubcontractRejected,
    SubcontractRequested,
)
from services.events.incident import IncidentClosed, IncidentInvestigated, IncidentReported
from services.events.sanction import ClaimFiled, ClaimSettled
from services.platform.clock import Clock
from services.platform.consuming.consumer import DomainRejection, Handler
from services.platform.eventstore.later_rules import (
    judged_by_fourth_rules,
    judged_by_later_rules,
)
from services.platform.eventstore.recorded_time import recorded_time
from services.platform.postgres.database import Connection
from services.registry.domain.contract_rules import (
    ContractHeader,
    amendment_refusal,
    running_refusal,
    termination_refusal,
)
from services.registry.domain.known_vendors import unknown_vendor
from services.registry.domain.record_dates import future_refusal
from services.registry.domain.record_ids import taken_refusal
from services.registry.domain.record_steps import (
    IncidentStep,
    SubcontractDecision,
    currency_refusal,
    decision_refusal,
    incident_day_refusal,
    open_claim_refusal,
    open_incident_refusal,
    parent_refusal,
    settlement_day_refusal,
)
from services.registry.domain.reference_rules import (
    Named,
    named,
    reference_refusal,
)
from services.registry.domain.refusals import reason
from services.registry.storage import vendor_repository
from services.registry.storage.contract_headers import contract_row, header_of
from services.registry.storage.named_records import known_records
from services.registry.storage.new_records import NEW_RECORDS
from services.registry.storage.record_headers import (
    claim_header,
    incident_header,
    subcontract_header,
)
from services.registry.storage.record_repository import (
    ClaimStatus,
    IncidentStatus,
    SubcontractStatus,
)


async def _insert(
    conn: Connection, event: EventEnvelope, clock: Clock, *, names_records: bool = False
) -> None:
    """Adds the vendor's new record (NEW_RECORDS); its id must be new, and the records it
    names (`names_records`: an incident or a claim) known to the registry."""
    table, key = NEW_RECORDS[event.event_type]
    values = event.payload.model_dump()
    if not await vendor_repository.vendor_exists(conn, event.vendor_id):
        raise DomainRejection(unknown_vendor(event.vendor_id))
    if names_records:
        recorded = await recorded_time(conn, event, clock)
        if judged_by_later_rules(recorded):
            DomainRejection.if_any(future_refusal(event, recorded))
            names = named([event])
            if names != Named():  # an incident or claim naming nothing reads nothing more
                known = await known_records(conn, names)
                DomainRejection.if_any(reference_refusal(event, known, recorded))
    row = {"vendor_id": event.vendor_id, **values, "event_id": event.event_id}
    placeholders = ", ".join(f"${n}" for n in range(1, len(row) + 1))
    status = await conn.execute(
        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({placeholders}) ON CONFLICT DO NOTHING",
        *row.values(),
    )
    if status == "INSERT 0 0":
        DomainRejection.if_any(reason(taken_refusal(key, values[key])))


async def _update(
    conn: Connection, event: EventEnvelope, table: str, key: str, value: str, **changes: Any
) -> None:
    assignments = ", ".join(f"{column} = ${n}" for n, column in enumerate(changes, start=3))
    await conn.execute(
        f"UPDATE {table} SET {assignments} WHERE vendor_id = $1 AND {key} = $2",
        event.vendor_id,
        value,
        *changes.values(),
    )


async def _running_contract(
    conn: Connection, event: EventEnvelope, contract_id: str
) -> tuple[asyncpg.Record, ContractHeader]:
    """The vendor's contract, not terminated (contract_rules.running_refusal), with its
    header for the rules that judge the change."""
    row = await contract_row(conn, contract_id)
    header = header_of(row)
    DomainRejection.if_any(reason(running_refusal(event.vendor_id, contract_id, header)))
    assert row is not None and header is not None  # refused above otherwise
    return row, header


async def _decide_subcontract(
    conn: Connection,
    event: EventEnvelope,
    payload: SubcontractDecision,
    status: SubcontractStatus,
    decided_on: dt.date,
    **details: Any,
) -> None:
    """An agency's decision on a requested subcontract; it decides once
    (record_steps.decision_refusal)."""
    sub = await subcontract_header(conn, payload.subcontract_id)
    DomainRejection.if_any(reason(decision_refusal(event.vendor_id, payload, sub)))
    await _update(
        conn,
        event,
        "registry_subcontracts",
        "subcontract_id",
        payload.subcontract_id,
        status=status.value,
        decided_on=decided_on,
        **details,
    )


@dataclass(frozen=True)
class RecordHandlers:
    """`clock`: the time of an event applied without the log (when it was recorded decides
    which rules judge it, later_rules)."""

    clock: Clock

    async def contract_awarded(self, conn: Connection, event: EventEnvelope) -> None:
        # The award is a day past (its term may start later): one dated ahead is refused
        # from the rules of 2026-12-07 on (record_dates, later_rules).
        recorded = await recorded_time(conn, event, self.clock)
        if judged_by_fourth_rules(recorded):
            DomainRejection.if_any(future_refusal(event, recorded))
        await _insert(conn, event, self.clock)

    async def contract_amended(self, conn: Connection, event: EventEnvelope) -> None:
        payload = cast(ContractAmended, event.payload)
        contract, header = await _running_contract(conn, event, payload.contract_id)
        recorded = await recorded_time(conn, event, self.clock)
        DomainRejection.if_any(reason(amendment_refusal(payload, header, recorded)))
        # Amendments apply in the order the vendor's log records them, each replacing what
        # it gives; the log keeps the earlier terms. When they were stated is kept for the
        # imports of publishers' registers, which amend only to a later statement.
        await _update(
            conn,
            event,
            "registry_contracts",
            "contract_id",
            payload.contract_id,
            ends_on=payload.ends_on or contract["ends_on"],
            amount=contract["amount"] if payload.amount is None else payload.amount,
            terms_amended_at=event.occurred_at,
        )

    async def contract_terminated(self, conn: Connection, event: EventEnvelope) -> None:
        payload = cast(ContractTerminated, event.payload)
        _, header = await _running_contract(conn, event, payload.contract_id)
        recorded = await recorded_time(conn, event, self.clock)
        if judged_by_fourth_rules(recorded):  # dated ahead (record_dates, later_rules)
            DomainRejection.if_any(future_refusal(event, recorded))
        DomainRejection.if_any(reason(termination_refusal(payload, header, recorded)))
        await _update(
            conn,
            event,
            "registry_contracts",
            "contract_id",
            payload.contract_id,
            terminated_on=payload.terminated_on,
            termination_reason=payload.reason.value,
            termination_note=payload.note,
        )

    async def subcontract_requested(self, conn: Connection, event: EventEnvelope) -> None:
        payload = cast(SubcontractRequested, event.payload)
        await _running_contract(conn, event, payload.contract_id)
        if payload.parent_subcontract_id is not None:
            parent = await subcontract_header(conn, payload.parent_subcontract_id)
            DomainRejection.if_any(reason(parent_refusal(event.vendor_id, payload, parent)))
        await _insert(conn, event, self.clock)

    async def subcontract_approved(self, conn: Connection, event: EventEnvelope) -> None:
        payload = cast(SubcontractApproved, event.payload)
        await _decide_subcontract(
            conn,
            event,
            payload,
            SubcontractStatus.APPROVED,
            payload.approved_on,
            fitness_certificate_ids=payload.fitness_certificate_ids,
        )

    async def subcontract_rejected(self, conn: Connection, event: EventEnvelope) -> None:
        payload = cast(SubcontractRejected, event.payload)
        await _decide_subcontract(
            conn,
            event,
            payload,
            SubcontractStatus.REJECTED,
            payload.rejected_on,
            reason=payload.reason,
        )

    async def incident_reported(self, conn: Connection, event: EventEnvelope) -> None:
        await _insert(conn, event, self.clock, names_records=True)

    async def incident_investigated(self, conn: Connection, event: EventEnvelope) -> None:
        await _advance_incident(conn, event, self.clock)

    async def incident_closed(self, conn: Connection, event: EventEnvelope) -> None:
        await _advance_incident(conn, event, self.clock)

    async def claim_filed(self, conn: Connection, event: EventEnvelope) -> None:
        await _insert(conn, event, self.clock, names_records=True)

    async def claim_settled(self, conn: Connection, event: EventEnvelope) -> None:
        payload = cast(ClaimSettled, event.payload)
        claim = await claim_header(conn, event.vendor_id, payload.claim_id)
        DomainRejection.if_any(reason(open_claim_refusal(event.vendor_id, payload.claim_id, claim)))
        assert claim is not None  # refused above otherwise
        DomainRejection.if_any(reason(currency_refusal(payload, claim)))
        recorded = await recorded_time(conn, event, self.clock)
        if judged_by_later_rules(recorded):
            DomainRejection.if_any(future_refusal(event, recorded))
            DomainRejection.if_any(reason(settlement_day_refusal(payload, claim)))
        await _update(
            conn,
            event,
            "registry_claims",
            "claim_id",
            payload.claim_id,
            status=ClaimStatus.SETTLED.value,
            settled_on=payload.settled_on,
            settled_amount=payload.amount,
        )

    async def certificate_submitted(self, conn: Connection, event: EventEnvelope) -> None:
        await _insert(conn, event, self.clock)

    def by_event_type(self) -> dict[str, Handler]:
        return {
            ContractAwarded.event_type: self.contract_awarded,
            ContractAmended.event_type: self.contract_amended,
            ContractTerminated.event_type: self.contract_terminated,
            SubcontractRequested.event_type: self.subcontract_requested,
            SubcontractApproved.event_type: self.subcontract_approved,
            SubcontractRejected.event_type: self.subcontract_rejected,
            IncidentReported.event_type: self.incident_reported,
            IncidentInvestigated.event_type: self.incident_investigated,
            IncidentClosed.event_type: self.incident_closed,
            ClaimFiled.event_type: self.claim_filed,
            ClaimSettled.event_type: self.claim_settled,
            CertificateSubmitted.event_type: self.certificate_submitted,
        }


# The events that move an incident on, and where they leave it.
INCIDENT_STEPS: dict[str, IncidentStatus] = {
    IncidentInvestigated.event_type: IncidentStatus.INVESTIGATED,
    IncidentClosed.event_type: IncidentStatus.CLOSED,
}


def incident_step(event: EventEnvelope, *, as_json: bool = False) -> dict[str, Any]:
    """The incident's columns an investigation (a further one's findings replace the earlier
    ones) or a closing (with its resolution) sets; `as_json` in their JSON form."""
    payload = cast(IncidentInvestigated | IncidentClosed, event.payload)
    findings = payload.model_dump(mode="json" if as_json else "python", exclude={"incident_id"})
    return {"status": INCIDENT_STEPS[event.event_type].value, **findings}


async def _advance_incident(conn: Connection, event: EventEnvelope, clock: Clock) -> None:
    """An open incident investigated or closed (`incident_step`), on a day that could be
    true (record_dates)."""
    payload = cast(IncidentStep, event.payload)
    incident = await incident_header(conn, event.vendor_id, payload.incident_id)
    DomainRejection.if_any(
        reason(open_incident_refusal(event.vendor_id, payload.incident_id, incident))
    )
    assert incident is not None  # refused above otherwise
    recorded = await recorded_time(conn, event, clock)
    if judged_by_later_rules(recorded):
        DomainRejection.if_any(future_refusal(event, recorded))
        DomainRejection.if_any(reason(incident_day_refusal(event, incident)))
    await _update(
        conn,
        event,
        "registry_incidents",
        "incident_id",
        payload.incident_id,
        **incident_step(event),
    )
