"""A step on a record against the record on record (pure): the registry's reasons, and the
receipt's problems with their codes, one rule for both."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.events.contract import SubcontractApproved, SubcontractRequested
from services.platform.eventstore.later_rules import LATER_RULES_FROM, SECOND_RULES_FROM
from services.registry.domain.record_steps import (
    ClaimHeader,
    IncidentHeader,
    SubcontractHeader,
    decision_refusal,
    open_incident_refusal,
    parent_refusal,
    step_problem,
)
from tests.support import case_b
from tests.support.event_examples import envelope, example

NOW = SECOND_RULES_FROM
APPROVED = SubcontractHeader("vendor-b", "c-1", "approved", dt.date(2022, 5, 20))


def parsed(event_type: str, **changes: Any) -> EventEnvelope:
    return parse_event(case_b.line(envelope(event_type, example(event_type, **changes))))


APPROVAL = parsed("contract.subcontract_approved", subcontract_id="sc-1", contract_id="c-1")
RESUBCONTRACT = parsed(
    "contract.subcontract_requested", parent_subcontract_id="sc-1", contract_id="c-1"
)


def test_a_subcontract_is_decided_once() -> None:
    payload = cast(SubcontractApproved, APPROVAL.payload)
    said = "payload.subcontract_id: subcontract 'sc-1' was already approved on 2022-05-20"
    assert decision_refusal("vendor-b", payload, APPROVED) == ("decided_already", said)
    requested = SubcontractHeader("vendor-b", "c-1", "requested", None)
    assert decision_refusal("vendor-b", payload, requested) is None


def test_another_vendors_subcontract_is_said_naming_no_other_vendor() -> None:
    payload = cast(SubcontractApproved, APPROVAL.payload)
    theirs = SubcontractHeader("vendor-c", "c-1", "requested", None)
    said = "payload.subcontract_id: vendor 'vendor-b' has no subcontract 'sc-1'"
    assert decision_refusal("vendor-b", payload, theirs) == ("other_vendors_subcontract", said)
    assert decision_refusal("vendor-b", payload, None) == ("unknown_subcontract", said)


def test_a_parent_under_another_contract_is_refused_in_its_own_field() -> None:
    payload = cast(SubcontractRequested, RESUBCONTRACT.payload)
    elsewhere = SubcontractHeader("vendor-b", "c-2", "approved", dt.date(2022, 5, 20))
    said = "payload.parent_subcontract_id: subcontract 'sc-1' is of contract 'c-2', not 'c-1'"
    assert parent_refusal("vendor-b", payload, elsewhere) == ("other_contracts_subcontract", said)
    # A decided parent may be subcontracted again: only the contract and the vendor count.
    assert parent_refusal("vendor-b", payload, APPROVED) is None


def test_the_receipt_leaves_a_record_not_on_record_to_the_registry() -> None:
    assert step_problem(APPROVAL, None, NOW) is None
    problem = step_problem(APPROVAL, APPROVED, NOW)
    assert problem is not None
    assert (problem.field, problem.code) == ("payload.subcontract_id", "decided_already")


CLOSING = parsed("incident.closed", closed_on="2022-06-20")
OPEN = IncidentHeader(dt.date(2022, 6, 21), None)


def test_a_closed_incident_is_refused_before_its_days_are_judged() -> None:
    closed = IncidentHeader(OPEN.occurred_on, dt.date(2022, 11, 28))
    said = "payload.incident_id: incident 'i-1' was already closed on 2022-11-28"
    assert open_incident_refusal("vendor-b", "i-1", closed) == ("closed_already", said)
    problem = step_problem(CLOSING, closed, NOW)
    assert problem is not None
    assert problem.code == "closed_already"


def test_a_step_before_the_incident_occurred_is_refused_from_the_later_rules() -> None:
    problem = step_problem(CLOSING, OPEN, NOW)
    assert problem is not None
    assert (problem.field, problem.message, problem.code) == (
        "payload.closed_on",
        "2022-06-20 is before the incident occurred, on 2022-06-21",
        "before_occurred",
    )
    # As the log judged it before them.
    assert step_problem(CLOSING, OPEN, LATER_RULES_FROM - dt.timedelta(seconds=1)) is None


FILED = ClaimHeader(dt.date(2022, 11, 28), "JPY", None)


def test_a_settlement_is_judged_in_the_registrys_order() -> None:
    settled = ClaimHeader(FILED.filed_on, FILED.currency, dt.date(2023, 3, 31))
    early_in_dollars = parsed("claim.settled", settled_on="2022-11-27", currency="USD")
    found = [step_problem(early_in_dollars, claim, NOW) for claim in (settled, FILED)]
    assert [(p.field, p.code) for p in found if p is not None] == [
        ("payload.claim_id", "settled_already"),
        ("payload.currency", "other_currency"),
    ]
    early = parsed("claim.settled", settled_on="2022-11-27")
    problem = step_problem(early, FILED, NOW)
    assert problem is not None
    assert (problem.message, problem.code) == (
        "2022-11-27 is before the claim was filed, on 2022-11-28",
        "before_filing",
    )
    assert step_problem(early, FILED, LATER_RULES_FROM - dt.timedelta(seconds=1)) is None
