"""Why the registry refuses a step on a record it holds (pure): a decision on a subcontract,
and a re-subcontract's request naming its parent.

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
from services.registry.domain.refusals import Refusal, problem

SubcontractDecision = SubcontractApproved | SubcontractRejected
# The events whose step the receipt judges against a record on record.
RecordStep = SubcontractDecision | SubcontractRequested


@dataclass(frozen=True, slots=True)
class SubcontractHeader:
    """What judging a decision on a subcontract, or a re-subcontract of it, needs of it:
    whose it is, under which contract, and its decision. None of them changes once requested
    but the decision (`status`, `decided_on`), which is taken once."""

    vendor_id: str
    contract_id: str
    status: str
    decided_on: dt.date | None


def _done(code: str, field: str, what: str, done: str, on: dt.date | None) -> Refusal | None:
    """A step on a record that already took its final one (`on` that day)."""
    if on is None:
        return None
    return code, f"payload.{field}: {what} was already {done} on {on}"


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
    if sub is None or sub.vendor_id != vendor_id:
        # Another vendor's is said as an unknown one is: the words name no other vendor.
        code = "unknown_subcontract" if sub is None else "other_vendors_subcontract"
        said = f"vendor {vendor_id!r} has no subcontract {subcontract_id!r}"
        return code, f"payload.{field}: {said}"
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


Header = SubcontractHeader


def step_problem(event: EventEnvelope, record: Header | None, now: dt.datetime) -> Problem | None:
    """The API's check of a step recorded `now`, against the record it names as the registry
    holds it (a subcontract decided; a re-subcontract's parent), in the registry's words with
    their code; any other event passes. A record not on record passes: the event creating it
    may be in the log still unjudged (sent a moment before, without waitForProcessing), and
    the registry refuses the step itself if it never applies it. What these rules read of a
    record only moves one way (its vendor, contract and days never change, and its final
    step is taken once), so whatever is refused here, the registry would refuse."""
    payload = event.payload
    if record is None:
        return None
    refusal: Refusal | None = None
    if isinstance(payload, SubcontractDecision):
        refusal = decision_refusal(event.vendor_id, payload, record)
    elif isinstance(payload, SubcontractRequested):
        refusal = parent_refusal(event.vendor_id, payload, record)
    return problem(refusal)
