"""Folding a vendor's events into its state, one at a time, and its facts on a day (pure).

`fold_one` applies one event to a vendor's `VendorState` whatever the event's dates, touching
only the event's item (dictionaries are shared, a changed one copied at C speed). The facts on
a day (`facts_on`) are the state's items as they stand, except the few items with an event
that does not count yet on that day (a day before an item's horizon: an out-of-order event,
or a question about the past), which are folded again from their own events only. So an
event costs what its item costs, not what the vendor's history costs; `fold` over a whole
event list gives the same facts (and is how the facts on a day are defined). A sanction's
facts on a day are derived when asked, by sanction_facts.py.

What still grows, and with what: scoring reads every item on the record (each incident's
decay, each ended contract's certificates, …) and the score lists them with their event ids
(concentration: every event of the held critical contracts), so scoring and the history row
it writes grow with the items on the record and the events about the items it lists, not
with the events that only touched other items. Loading and storing a state grows with its
items (once per batch and vendor). A day before an item's horizon (an out-of-order event, a
question about the past) folds that item again from its events: one statement, their count.

A rule added once the log had begun judges the events it recorded from its instant on
(later_rules): a claim filed by an event recorded before `FIFTH_RULES_FROM` counts its figure
as yen, as live processing did, and an investigation recorded before it replaces an earlier
finding of unapproved subcontracting (from it, the finding stays). Folding a claim's filing
or an investigation therefore takes the instant the log recorded it (`recorded_at`); an event
without one (applied without the log) is held to every rule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

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
from services.events.sanction import (
    ClaimFiled,
    ClaimSettled,
    SanctionAmended,
    SanctionImposed,
    SanctionLifted,
)
from services.platform.eventstore.later_rules import judged_by_fifth_rules
from services.risk.domain.facts import (
    ITEM_FIELDS,
    CertificateFact,
    ClaimFact,
    ContractFact,
    IncidentFact,
    Period,
    SanctionSource,
    SubcontractFact,
    VendorFacts,
    VendorState,
    item_of,
)
from services.risk.domain.sanction_facts import SanctionsOn, sanction_change

# When the log recorded events, by id: those missing are held to every rule.
RecordedAt = Mapping[uuid.UUID, dt.datetime]
_NONE_RECORDED: RecordedAt = MappingProxyType({})


def _counts_on(event: EventEnvelope, as_of: dt.date) -> bool:
    item = item_of(event.payload)
    return item is not None and (item[1] is None or item[1] <= as_of)


def fold_one(
    state: VendorState, event: EventEnvelope, recorded_at: dt.datetime | None = None
) -> VendorState:
    """The state after one more event (in log order), which the log recorded at `recorded_at`
    (None: held to every rule). Costs what the event's item costs: the other items are
    shared, not copied one by one."""
    item = item_of(event.payload)
    if item is None:
        return state
    key, day = item
    changes = _apply(state, event, recorded_at)
    name = ITEM_FIELDS[key.partition(":")[0]]
    digest = _digest(state.digests.get(name, ""), str(event.event_id))
    changes["digests"] = {**state.digests, name: digest}
    if day is not None and day > state.horizons.get(key, dt.date.min):
        changes["horizons"] = {**state.horizons, key: day}
        changes["horizon"] = max(state.horizon, day)
    return replace(state, **changes)


def _digest(previous: str, event_id: str) -> str:
    """The digest of the events of a field after one more (a chain, as the log's)."""
    return hashlib.blake2b(f"{previous}{event_id}".encode(), digest_size=12).hexdigest()


def fold_all(
    vendor_id: str, events: Iterable[EventEnvelope], recorded_at: RecordedAt = _NONE_RECORDED
) -> VendorState:
    state = VendorState(vendor_id)
    for event in events:
        state = fold_one(state, event, recorded_at.get(event.event_id))
    return state


def stale_items(state: VendorState, as_of: dt.date) -> set[str]:
    """The items with an event that does not count yet on `as_of`: `facts_on` needs their
    events to answer for that day."""
    if state.horizon <= as_of:  # the usual case: events come in the order of their dates
        return set()
    return {key for key, horizon in state.horizons.items() if horizon > as_of}


def facts_on(
    state: VendorState,
    as_of: dt.date,
    stale_events: Iterable[EventEnvelope] = (),
    recorded_at: RecordedAt = _NONE_RECORDED,
) -> VendorFacts:
    """The facts as they stand on `as_of`, as `fold` of every event would give them.

    `stale_events`: the events of the `stale_items` (in log order; others are ignored), which
    are folded again counting only what counts by `as_of`; `recorded_at`: when the log
    recorded them.
    """
    if stale := stale_items(state, as_of):
        then = fold_all(
            state.vendor_id,
            (
                e
                for e in stale_events
                if _counts_on(e, as_of) and (item := item_of(e.payload)) and item[0] in stale
            ),
            recorded_at,
        )
        state = _with_items_of(state, then, stale)
    return VendorFacts(
        vendor_id=state.vendor_id,
        incidents=state.incidents,
        sanctions=SanctionsOn(state.sanctions, as_of),
        contracts=state.contracts,
        subcontracts=state.subcontracts,
        certificates=state.certificates,
        claims=state.claims,
    )


def fold(
    vendor_id: str,
    events: Iterable[EventEnvelope],
    as_of: dt.date,
    recorded_at: RecordedAt = _NONE_RECORDED,
) -> VendorFacts:
    """The facts about `vendor_id` from `events` (in log order, recorded at `recorded_at`)
    that happened by `as_of`."""
    counted = (e for e in events if _counts_on(e, as_of))
    return facts_on(fold_all(vendor_id, counted, recorded_at), as_of)


def _with_items_of(state: VendorState, source: VendorState, keys: Iterable[str]) -> VendorState:
    """`state` with these items as `source` has them (absent there: absent)."""
    changes: dict[str, Any] = {}
    terminated = set(state.terminated)
    for key in keys:
        kind, _, item_id = key.partition(":")
        name = ITEM_FIELDS[kind]
        items = changes.setdefault(name, dict(getattr(state, name)))
        if item_id in (found := getattr(source, name)):
            items[item_id] = found[item_id]
        else:
            items.pop(item_id, None)
        if kind == "contract":
            terminated.discard(item_id)
            if item_id in source.terminated:
                terminated.add(item_id)
    return replace(state, terminated=frozenset(terminated), **changes)


def _apply(
    state: VendorState, event: EventEnvelope, recorded_at: dt.datetime | None
) -> dict[str, Any]:
    """One event's change to its item, whatever its dates (`item_of` says when it counts):
    the state's fields it changes, so that `fold_one` makes one state, not one per field."""
    payload = event.payload
    eid = str(event.event_id)
    match payload:
        case IncidentReported():
            incident = IncidentFact(
                incident_id=payload.incident_id,
                reported_by_vendor_id=event.vendor_id,
                caused_by_vendor_id=payload.caused_by_vendor_id,
                contract_id=payload.contract_id,
                kind=payload.kind,
                severity=payload.severity,
                occurred_on=payload.occurred_on,
                event_ids=(eid,),
            )
            return {"incidents": {**state.incidents, incident.incident_id: incident}}
        case IncidentInvestigated():
            if (found := state.incidents.get(payload.incident_id)) is not None:
                # A finding of unapproved subcontracting once made stays on record (the
                # model's weight has no decay): a later investigation may add one, not erase
                # it, and the finding keeps its day. Investigations recorded before the rule
                # replace it, as live processing did.
                stays = found.unapproved_subcontracting_found and (
                    recorded_at is None or judged_by_fifth_rules(recorded_at)
                )
                incident = replace(
                    found,
                    leak=payload.leak,
                    unapproved_subcontracting_found=stays
                    or payload.unapproved_subcontracting_found,
                    investigated_on=found.investigated_on if stays else payload.investigated_on,
                    event_ids=(*found.event_ids, eid),
                )
                return {"incidents": {**state.incidents, found.incident_id: incident}}
        case IncidentClosed():
            if (found := state.incidents.get(payload.incident_id)) is not None:
                incident = replace(
                    found, closed_on=payload.closed_on, event_ids=(*found.event_ids, eid)
                )
                return {"incidents": {**state.incidents, found.incident_id: incident}}
        case SanctionImposed():
            sanction = SanctionSource(
                sanction_id=payload.sanction_id,
                kind=payload.kind,
                authority=payload.authority,
                decided_on=payload.decided_on,
                starts_on=payload.starts_on,
                period=Period(payload.duration_months, payload.duration_days, payload.ends_on),
                event_ids=(eid,),
            )
            return {"sanctions": {**state.sanctions, sanction.sanction_id: sanction}}
        case SanctionAmended() | SanctionLifted():
            if (source := state.sanctions.get(payload.sanction_id)) is not None:
                sanction = replace(
                    source,
                    changes=(*source.changes, sanction_change(payload)),
                    event_ids=(*source.event_ids, eid),
                )
                return {"sanctions": {**state.sanctions, source.sanction_id: sanction}}
        case ContractAwarded():
            contract = ContractFact(
                contract_id=payload.contract_id,
                agency=payload.agency,
                criticality=payload.criticality,
                starts_on=payload.starts_on,
                ends_on=payload.ends_on,
                event_ids=(eid,),
            )
            return {"contracts": {**state.contracts, contract.contract_id: contract}}
        case ContractAmended():
            found_contract = state.contracts.get(payload.contract_id)
            if found_contract is not None and payload.contract_id not in state.terminated:
                contract = replace(
                    found_contract,
                    ends_on=payload.ends_on or found_contract.ends_on,
                    event_ids=(*found_contract.event_ids, eid),
                )
                return {"contracts": {**state.contracts, contract.contract_id: contract}}
        case ContractTerminated():
            terminated = state.terminated | {payload.contract_id}
            if (found_contract := state.contracts.get(payload.contract_id)) is None:
                return {"terminated": terminated}
            contract = replace(
                found_contract,
                ends_on=min(found_contract.ends_on, payload.terminated_on),
                event_ids=(*found_contract.event_ids, eid),
            )
            contracts = {**state.contracts, contract.contract_id: contract}
            return {"terminated": terminated, "contracts": contracts}
        case SubcontractRequested():
            sub = SubcontractFact(
                subcontract_id=payload.subcontract_id,
                contract_id=payload.contract_id,
                subcontractor_vendor_id=payload.subcontractor_vendor_id,
                parent_subcontract_id=payload.parent_subcontract_id,
                requested_on=payload.requested_on,
                event_ids=(eid,),
            )
            return {"subcontracts": {**state.subcontracts, sub.subcontract_id: sub}}
        case SubcontractApproved():
            if (found_sub := state.subcontracts.get(payload.subcontract_id)) is not None:
                sub = replace(
                    found_sub,
                    approved_on=payload.approved_on,
                    fitness_certificate_ids=tuple(payload.fitness_certificate_ids),
                    event_ids=(*found_sub.event_ids, eid),
                )
                return {"subcontracts": {**state.subcontracts, sub.subcontract_id: sub}}
        case SubcontractRejected():
            if (found_sub := state.subcontracts.get(payload.subcontract_id)) is not None:
                sub = replace(
                    found_sub,
                    rejected_on=payload.rejected_on,
                    event_ids=(*found_sub.event_ids, eid),
                )
                return {"subcontracts": {**state.subcontracts, sub.subcontract_id: sub}}
        case CertificateSubmitted():
            certificate = CertificateFact(
                certificate_id=payload.certificate_id,
                kind=payload.kind,
                contract_id=payload.contract_id,
                subcontract_id=payload.subcontract_id,
                submitted_on=payload.submitted_on,
                event_id=eid,
            )
            certificates = {**state.certificates, certificate.certificate_id: certificate}
            return {"certificates": certificates}
        case ClaimFiled():
            claim = ClaimFact(
                claim_id=payload.claim_id,
                amount=payload.amount,
                filed_on=payload.filed_on,
                event_ids=(eid,),
                currency=payload.currency,
                amount_as_yen=recorded_at is not None and not judged_by_fifth_rules(recorded_at),
            )
            return {"claims": {**state.claims, claim.claim_id: claim}}
        case ClaimSettled():
            if (found_claim := state.claims.get(payload.claim_id)) is not None:
                claim = replace(
                    found_claim,
                    settled_on=payload.settled_on,
                    event_ids=(*found_claim.event_ids, eid),
                )
                return {"claims": {**state.claims, claim.claim_id: claim}}
    return {}
