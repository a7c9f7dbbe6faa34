"""A change of a contract against the contract on record (pure): the registry's reasons, and
the receipt's problems with their codes, one rule for both."""

from __future__ import annotations

import datetime as dt
from typing import cast

from services.events.catalog import parse_event
from services.events.contract import ContractTerminated
from services.platform.eventstore.later_rules import SECOND_RULES_FROM
from services.registry.domain.contract_rules import (
    ContractHeader,
    change_problem,
    running_refusal,
    termination_refusal,
)
from tests.support import case_b
from tests.support.event_examples import envelope, example

BEFORE = SECOND_RULES_FROM - dt.timedelta(seconds=1)
TERMS = (dt.date(2026, 3, 31), 128000000)
HELD = ContractHeader("vendor-b", "市民課", dt.date(2021, 3, 15), dt.date(2021, 4, 1), None, *TERMS)
TERMINATION = parse_event(
    case_b.line(
        envelope("contract.terminated", example("contract.terminated", terminated_on="2021-03-14"))
    )
)
EARLY = cast(ContractTerminated, TERMINATION.payload)


def test_a_termination_before_the_award_is_refused_from_the_rules_of_2026_12_05() -> None:
    said = "payload.terminated_on: 2021-03-14 is before the contract was awarded, on 2021-03-15"
    assert termination_refusal(EARLY, HELD, SECOND_RULES_FROM) == ("before_award", said)
    assert termination_refusal(EARLY, HELD, BEFORE) is None  # as the log judged it then


def test_a_contract_not_the_vendors_is_said_naming_no_other_vendor() -> None:
    theirs = ContractHeader("vendor-c", "市民課", HELD.awarded_on, HELD.starts_on, None, *TERMS)
    said = "payload.contract_id: vendor 'vendor-b' has no contract 'c-1'"
    assert running_refusal("vendor-b", "c-1", theirs) == ("other_vendors_contract", said)
    assert running_refusal("vendor-b", "c-1", None) == ("unknown_contract", said)


def test_the_receipt_leaves_a_contract_not_on_record_to_the_registry() -> None:
    assert change_problem(TERMINATION, None, SECOND_RULES_FROM) is None
    problem = change_problem(TERMINATION, HELD, SECOND_RULES_FROM)
    assert problem is not None
    assert (problem.field, problem.code) == ("payload.terminated_on", "before_award")
