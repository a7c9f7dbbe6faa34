"""Why the registry refuses a step on a record it holds (pure): a decision on a subcontract,
a re-subcontract's request naming its parent, an investigation or a closing of an incident, a
settlement of a claim.

Decided here once for two paths, the registry's handlers (records.py) and the API's receipt
(`step_problem`, read by `registry/reads/record_changes.py`), so that the receipt refuses what
the registry would, in the same words, rather than accepting it and the registry
dead-lettering it after, as contract_rules.py does for a change of a contract. Each reason has
its code for the receipt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.contract import SubcontractApproved, SubcontractRejected, SubcontractRequested
from services.events.incident import IncidentClosed, IncidentInvestigated
from services.events.sanction import ClaimSettled
from services.platform.eventstore.later_rules import judged_by_later_rules
from services.registry.domain.record_dates import step_refusal
from services.registry.domain.reference_rules import settlement_refusal, unknown_incident
from services.registry.domain.refusals import Refusal, coded, problem

SubcontractDecision = SubcontractApproved | SubcontractRejected
IncidentStep = IncidentInvestigated | IncidentClosed
# The events whose step the receipt judges against a record on record.
RecordStep = SubcontractDecision | SubcontractRequested | IncidentStep | ClaimSettled


@dataclass(frozen=True, slots=True)
class SubcontractHeader:
    """What judging a decision on a subcontract, or a re-subcontract of it, needs of it:
    whose it is, under which contract, and its decision. None of them changes once requested
    but the decision (`status`, `decided_on`), which is taken once."""

    vendor_id: str
    contract_id: str
    status: str
    decided_on: dt.date | None


@dataclass(frozen=True, slots=True)
class IncidentHeader:
    """What judging an investigation or a closing of an incident needs of it: the day it
    occurred, which never changes, and the day it was closed, set once."""

    occurred_on: dt.date
    closed_on: dt.date | None


@dataclass(frozen=True, slots=True)
class ClaimHeader:
    """What judging a settlement of a claim needs of it: the day it was filed and its
    currency, which never change, and the day it was settled, set once."""

    filed_on: dt.date
    currency: str
    settled_on: dt.date | None


def _done(code: str, field: str, what: str, done: str, on: dt.date | None) -> Refusal | None:
    """A step on a record that already took its final one (`on` that day)."""
    if on is None:
        return None
    return code, f"payload.{field}: {what} was already {done} on {on}"


def unknown_subcontract(vendor_id: str, field: str, subcontract_id: str) -> Refusal:
    """A decision on, or a re-subcontract of (`field`), a subcontract the vendor does not
    have: its code and reason."""
    said = f"vendor {vendor_id!r} has no subcontract {subcontract_id!r}"
    return "unknown_subcontract", f"payload.{field}: {said}"


def _subcontract_refusal(
    vendor_id: str,
    field: str,
    subcontract_id: str,
    sub: SubcontractHeader | None,
    contract_id: str,
    contract_field: str,
) -> Refusal | None:
    """Why the subcontract an event names in `field` (None: not on record) is refused whatever
    else the event says: it is not the vendor's, or it is of another contract than the one
    the event names in `contract_field`."""
    if sub is None:
        return unknown_subcontract(vendor_id, field, subcontract_id)
    if sub.vendor_id != vendor_id:
        # Another vendor's is said as an unknown one is: the words name no other vendor.
        return "other_vendors_subcontract", unknown_subcontract(vendor_id, field, subcontract_id)[1]
    if sub.contract_id != contract_id:
        return "other_contracts_subcontract", (
            f"payload.{contract_field}: subcontract {subcontract_id!r} is of contract"
            f" {sub.contract_id!r}, not {contract_id!r}"
        )
    return None


def decision_refusal(
    vendor_id: str, payload: SubcontractDecision, sub: SubcontractHeader | None
) -> Refusal | None:
    """Why an agency's decision on a requested subcontract is refused: not the vendor's, of
    another contract, or decided already (an agency decides once)."""
    sub_id = payload.subcontract_id
    named = _subcontract_refusal(
        vendor_id, "subcontract_id", sub_id, sub, payload.contract_id, "contract_id"
    )
    if named is not None or sub is None:
        return named
    what = f"subcontract {sub_id!r}"
    return _done("decided_already", "subcontract_id", what, sub.status, sub.decided_on)


def parent_refusal(
    vendor_id: str, payload: SubcontractRequested, parent: SubcontractHeader | None
) -> Refusal | None:
    """Why a re-subcontract's request is refused for the parent it names: not the vendor's,
    or of another contract (a chain of subcontracts stays under one contract)."""
    parent_id, field = payload.parent_subcontract_id, "parent_subcontract_id"
    if parent_id is None:
        return None
    return _subcontract_refusal(vendor_id, field, parent_id, parent, payload.contract_id, field)


def open_incident_refusal(
    vendor_id: str, incident_id: str, incident: IncidentHeader | None
) -> Refusal | None:
    """Why a step on the vendor's incident (None: not on record) is refused whatever it says:
    it is unknown, or closed already (nothing more is expected on it)."""
    if incident is None:
        return unknown_incident(vendor_id, incident_id)
    what = f"incident {incident_id!r}"
    return _done("closed_already", "incident_id", what, "closed", incident.closed_on)


def incident_day_refusal(event: EventEnvelope, incident: IncidentHeader) -> Refusal | None:
    """Why an investigation or a closing of an open incident is refused for its day: before
    the incident occurred (record_dates.step_refusal, which the batch asks too). Judged from
    the later rules on (later_rules), as the day still to come is (record_dates)."""
    return coded("before_occurred", step_refusal(event, incident.occurred_on))


def _incident_refusal(
    event: EventEnvelope, payload: IncidentStep, incident: IncidentHeader, recorded_at: dt.datetime
) -> Refusal | None:
    """Every reason above that judges an incident's step, the first that refuses it; the day
    still to come is the receipt's own check (record_dates.future_check)."""
    refusal = open_incident_refusal(event.vendor_id, payload.incident_id, incident)
    if refusal is None and judged_by_later_rules(recorded_at):
        refusal = incident_day_refusal(event, incident)
    return refusal


def unknown_claim(vendor_id: str, claim_id: str) -> Refusal:
    """A settlement of a claim the vendor does not have: its code and reason."""
    return "unknown_claim", f"payload.claim_id: vendor {vendor_id!r} has no claim {claim_id!r}"


def open_claim_refusal(vendor_id: str, claim_id: str, claim: ClaimHeader | None) -> Refusal | None:
    """Why a settlement of the vendor's claim (None: not on record) is refused whatever it
    says: the claim is unknown, or settled already (a claim is settled once)."""
    if claim is None:
        return unknown_claim(vendor_id, claim_id)
    what = f"claim {claim_id!r}"
    return _done("settled_already", "claim_id", what, "settled", claim.settled_on)


def currency_refusal(payload: ClaimSettled, claim: ClaimHeader) -> Refusal | None:
    """Why a settlement of an open claim is refused for its currency: a settlement in
    another currency could not be compared with the claim."""
    if payload.currency != claim.currency:
        return "other_currency", (
            f"payload.currency: {payload.currency!r} is not the claim's currency {claim.currency!r}"
        )
    return None


def settlement_day_refusal(payload: ClaimSettled, claim: ClaimHeader) -> Refusal | None:
    """Why a settlement of an open claim is refused for its day: before the claim was filed
    (reference_rules.settlement_refusal). Judged from the later rules on (later_rules)."""
    return coded("before_filing", settlement_refusal(payload.settled_on, claim.filed_on))


def _claim_refusal(
    vendor_id: str, payload: ClaimSettled, claim: ClaimHeader, recorded_at: dt.datetime
) -> Refusal | None:
    """Every reason above that judges a settlement, the first that refuses it; the day still
    to come is the receipt's own check (record_dates.future_check)."""
    refusal = open_claim_refusal(vendor_id, payload.claim_id, claim)
    refusal = refusal or currency_refusal(payload, claim)
    if refusal is None and judged_by_later_rules(recorded_at):
        refusal = settlement_day_refusal(payload, claim)
    return refusal


Header = SubcontractHeader | IncidentHeader | ClaimHeader


def step_problem(event: EventEnvelope, record: Header | None, now: dt.datetime) -> Problem | None:
    """The API's check of a step recorded `now`, against the record it names as the registry
    holds it (a subcontract decided; a re-subcontract's parent; an incident investigated or
    closed; a claim settled), in the registry's words with their code; any other event
    passes. A record not on record passes: the event creating it may be in the log still
    unjudged (sent a moment before, without waitForProcessing), and the registry refuses the
    step itself if it never applies it. What these rules read of a record only moves one way
    (its vendor, contract, currency and days never change, and its final step is taken
    once), so whatever is refused here, the registry would refuse."""
    payload = event.payload
    refusal: Refusal | None = None  # and so for a record not on record
    if isinstance(payload, SubcontractDecision) and isinstance(record, SubcontractHeader):
        refusal = decision_refusal(event.vendor_id, payload, record)
    elif isinstance(payload, SubcontractRequested) and isinstance(record, SubcontractHeader):
        refusal = parent_refusal(event.vendor_id, payload, record)
    elif isinstance(payload, IncidentStep) and isinstance(record, IncidentHeader):
        refusal = _incident_refusal(event, payload, record, now)
    elif isinstance(payload, ClaimSettled) and isinstance(record, ClaimHeader):
        refusal = _claim_refusal(event.vendor_id, payload, record, now)
    return problem(refusal)
