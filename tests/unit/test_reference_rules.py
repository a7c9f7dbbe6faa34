"""What an incident or a claim names must be known to the registry, in its batches as in its
handlers, for events recorded from the later rules on, and the receipt refuses what stands
of it already; a batch reads a sanction lifted from its earliest lift; a claim is not settled
before it was filed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.consuming.consumer import DomainRejection
from services.platform.eventstore.later_rules import LATER_RULES_FROM
from services.registry.batch.rules import Stored, Writes, fold, registrations
from services.registry.batch.sanction_rules import SanctionFold, SanctionState
from services.registry.domain.reference_rules import (
    Known,
    reference_problem,
    reference_refusal,
    settlement_refusal,
)
from services.registry.policy_loading import load_policies
from tests.support.event_examples import DROP, envelope, example

LIVE = LATER_RULES_FROM + dt.timedelta(hours=1)
OLDER = LATER_RULES_FROM - dt.timedelta(seconds=1)
CONTRACT = "c-2022-benefit-payments"  # the examples' contract


def _event(event_type: str, vendor_id: str = "vendor-b", **changes: Any) -> EventEnvelope:
    return parse_event(json.dumps(envelope(event_type, example(event_type, **changes), vendor_id)))


def _stored(
    causers: frozenset[str] = frozenset(),
    owners: dict[str, str] | None = None,
    incidents: dict[tuple[str, str], dt.date] | None = None,
) -> Stored:
    return Stored(
        vendors=frozenset({"vendor-b"}),
        identifier_owners={},
        incidents={},
        named=Known(causers, owners or {}, incidents or {}),
    )


def _fold(*events: EventEnvelope, stored: Stored, at: dt.datetime = LIVE) -> dict[str, int]:
    """What the batch writes (`_written`), each event recorded `at`."""
    return _written(fold(events, stored, {e.event_id: at for e in events}, registrations(events)))


def _written(writes: Writes) -> dict[str, int]:
    """How many rows each table gets (registrations under `registry_vendors`): an event taken
    is written, so a batch taken whole writes one row for each of its events."""
    written = {table: len(rows.rows) for table, rows in writes.records.items()}
    return written | ({"registry_vendors": len(writes.vendors)} if writes.vendors else {})


def _refusal(*events: EventEnvelope, stored: Stored) -> str:
    with pytest.raises(DomainRejection) as refused:
        _fold(*events, stored=stored)
    return str(refused.value)


REPORT = _event("incident.reported")  # names contract CONTRACT and causer vendor-d
CLAIM = _event("claim.filed")  # names incident inc-2022-usb and contract CONTRACT
B_CONTRACT = {CONTRACT: "vendor-b"}
INCIDENT = {"registry_incidents": 1}  # the batch's writes (`_written`) of one incident
CLAIMED = {"registry_claims": 1}


def test_an_incident_caused_by_a_vendor_nobody_registered_is_refused() -> None:
    refusal = _refusal(REPORT, stored=_stored(owners=B_CONTRACT))
    assert refusal == "payload.caused_by_vendor_id: unknown vendor 'vendor-d'; register it first"
    assert _fold(REPORT, stored=_stored(frozenset({"vendor-d"}), B_CONTRACT)) == INCIDENT
    # Registered earlier in the same batch counts as registered.
    registered = _event(
        "vendor.registered", "vendor-d", identifiers=[{"scheme": "internal", "value": "D"}]
    )
    assert _fold(registered, REPORT, stored=_stored(owners=B_CONTRACT)) == {
        "registry_vendors": 1,
        **INCIDENT,
    }


def test_a_causer_whose_registration_the_log_recorded_first_counts_before_it_is_judged() -> None:
    """In distributed mode the registry may judge the incident before the causer's
    registration sent just before it (another partition): the log's order decides."""

    def judged(registration_recorded: dt.datetime) -> dict[str, int]:
        named = Known((), B_CONTRACT, {}, {"vendor-d": registration_recorded})
        stored = dataclasses.replace(_stored(), named=named)
        return _written(fold([REPORT], stored, {REPORT.event_id: LIVE}, {}))

    assert judged(LIVE) == INCIDENT  # recorded with it (one ingest batch)
    assert judged(LIVE - dt.timedelta(seconds=1)) == INCIDENT
    with pytest.raises(DomainRejection, match="unknown vendor 'vendor-d'"):
        judged(LIVE + dt.timedelta(seconds=1))


def test_a_contract_named_must_be_the_vendors_own() -> None:
    causer = frozenset({"vendor-d"})
    unknown = _refusal(REPORT, stored=_stored(causer))
    assert unknown == f"payload.contract_id: vendor 'vendor-b' has no contract '{CONTRACT}'"
    others = _refusal(CLAIM, stored=_stored(owners={CONTRACT: "vendor-c"}))
    assert others.startswith("payload.incident_id: vendor 'vendor-b' has no incident")
    incident = {("vendor-b", "inc-2022-usb"): dt.date(2022, 6, 21)}
    others = _refusal(CLAIM, stored=_stored(owners={CONTRACT: "vendor-c"}, incidents=incident))
    assert (
        others == f"payload.contract_id: contract '{CONTRACT}' belongs to vendor 'vendor-c',"
        " not 'vendor-b'"
    )
    # Awarded, then reported on and claimed for in one batch: known in log order.
    awarded = _event("contract.awarded", contract_id=CONTRACT)
    assert _fold(awarded, REPORT, CLAIM, stored=_stored(causer)) == {
        "registry_contracts": 1,
        **INCIDENT,
        **CLAIMED,
    }
    assert "has no contract" in _refusal(REPORT, awarded, stored=_stored(causer))
    # A claim need name neither.
    unnamed = _event("claim.filed", incident_id=DROP, contract_id=DROP)
    assert _fold(unnamed, stored=_stored()) == CLAIMED


def test_an_older_log_is_judged_as_it_was() -> None:
    """Recorded before the later rules, an incident and a claim naming nothing the registry
    knows are taken, as they were then: both are written."""
    assert _fold(REPORT, CLAIM, stored=_stored(), at=OLDER) == INCIDENT | CLAIMED
    assert "unknown vendor" in _refusal(REPORT, CLAIM, stored=_stored())  # as judged now


def test_a_claim_is_not_settled_before_it_was_filed() -> None:
    filed = dt.date(2022, 11, 28)
    refusal = settlement_refusal(dt.date(2022, 11, 27), filed)
    assert refusal == "payload.settled_on: 2022-11-27 is before the claim was filed, on 2022-11-28"
    assert settlement_refusal(filed, filed) is None


def test_a_batch_judges_a_sanction_lifted_from_its_earliest_lift() -> None:
    """Two lifts recorded before the later rules (the second one earlier), then an amendment
    from between them recorded after: refused in a batch as by the handlers, which read the
    sanction lifted from its earliest lift."""
    sanction = {"sanction_id": "sanc-2022-07-b"}
    events = [
        _event("sanction.imposed"),
        _event("sanction.lifted", **sanction, effective_on="2023-03-01"),
        _event("sanction.lifted", **sanction, effective_on="2023-01-10"),
        _event("sanction.amended", **sanction, effective_on="2023-02-01"),
    ]
    recorded = {e.event_id: OLDER for e in events[:3]} | {events[3].event_id: LIVE}
    state = SanctionState(
        registered=frozenset({"vendor-b"}),
        since=min(recorded.values()).date(),
        headers={},
        partners={},
        periods={},
        sanctions=[],
        announced={},
    )
    folding = SanctionFold(state, recorded, load_policies(), announce=False)
    for event in events[:3]:
        folding.add(event)
    with pytest.raises(DomainRejection, match="was lifted from 2023-01-10"):
        folding.add(events[3])


def test_the_receipt_refuses_what_stands_and_leaves_what_is_not_on_record() -> None:
    """The registry refuses the report first for its causer, unknown; the receipt leaves
    that to the registry (its registration may be on its way) and refuses for the contract,
    another vendor's whatever comes."""
    theirs = Known(frozenset(), {CONTRACT: "vendor-c"}, {})
    refusal = reference_refusal(REPORT, theirs, LIVE)
    assert refusal == "payload.caused_by_vendor_id: unknown vendor 'vendor-d'; register it first"
    problem = reference_problem(REPORT, theirs, LIVE)
    assert problem is not None
    assert (problem.field, problem.code) == ("payload.contract_id", "other_vendors_contract")
    assert reference_problem(REPORT, Known(frozenset(), {}, {}), LIVE) is None
    assert reference_problem(REPORT, theirs, OLDER) is None  # as the log judged it then


def test_the_receipt_refuses_a_claim_filed_before_its_incident_occurred() -> None:
    early = _event("claim.filed", filed_on="2022-06-20")
    known = Known(frozenset(), B_CONTRACT, {("vendor-b", "inc-2022-usb"): dt.date(2022, 6, 21)})
    problem = reference_problem(early, known, LIVE)
    assert problem is not None
    assert (problem.field, problem.code) == ("payload.filed_on", "before_occurred")
