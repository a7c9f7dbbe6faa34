"""The API's receipt refuses what the registry would refuse of a change of a contract, in the
registry's words and with a code, before the log (real PostgreSQL): a termination dated before
the award, a change of another vendor's contract or of one terminated already, an amendment
ending the term before it starts. Found by exploratory testing: the receipt said accepted,
then the registry dead-lettered the event. Nothing refused is written."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.platform.eventstore import later_rules
from services.platform.security.auth import Principal, Role
from tests.support import case_b
from tests.support.event_examples import DROP, envelope, example, graphql_input
from tests.support.in_process_api import execute
from tests.support.principals import ADMIN
from tests.support.record_receipts import typed
from tests.support.registry_db import apply, rejection
from tests.support.rule_instants import FAR, PAST

pytestmark = pytest.mark.postgres

RECEIPT = "{ accepted errors { field message code } }"
VENDOR, OTHER = case_b.VENDOR, "vendor-c"
CONTRACT = example("contract.awarded")["contract_id"]  # awarded 2021-03-15, from 2021-04-01
INPUTS = {
    "amendContract": "ContractAmendedInput",
    "terminateContract": "ContractTerminatedInput",
    "requestSubcontract": "SubcontractRequestedInput",
}
EVENTS = {
    "amendContract": "contract.amended",
    "terminateContract": "contract.terminated",
    "requestSubcontract": "contract.subcontract_requested",
}


def change(name: str, vendor_id: str = VENDOR, **changes: Any) -> dict[str, Any]:
    """The mutation's change of the case's contract, as the event it records."""
    if name == "requestSubcontract":
        changes = {"contract_id": CONTRACT, "parent_subcontract_id": DROP, **changes}
    return envelope(EVENTS[name], example(EVENTS[name], **changes), vendor_id)


async def receipt(
    pool: asyncpg.Pool, name: str, event: dict[str, Any], principal: Principal = ADMIN
) -> dict[str, Any]:
    """`name`'s receipt for the event's payload, sent by `principal`."""
    query = (
        f"mutation ($vendorId: ID!, $payload: {INPUTS[name]}!) {{"
        f" {name}(vendorId: $vendorId, payload: $payload) {RECEIPT} }}"
    )
    payload = graphql_input(event["payload"])
    if "reason" in payload and name == "terminateContract":
        payload["reason"] = str(payload["reason"]).upper()
    answer = await execute(pool, query, principal, vendorId=event["vendor_id"], payload=payload)
    found: dict[str, Any] = answer[name]
    return found


async def logged(pool: asyncpg.Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM event_store")
    return count


def awarded(vendor_id: str = VENDOR, **changes: Any) -> dict[str, Any]:
    return envelope("contract.awarded", example("contract.awarded", **changes), vendor_id)


async def test_a_termination_dated_before_the_award_is_refused_in_the_receipt(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered(), awarded())
    early = change("terminateContract", terminated_on="2021-03-14")
    answer = await receipt(pool, "terminateContract", early)
    assert answer == {
        "accepted": False,
        "errors": [
            {
                "field": "payload.terminatedOn",
                "message": "2021-03-14 is before the contract was awarded, on 2021-03-15",
                "code": "before_award",
            }
        ],
    }
    assert await logged(pool) == 0
    # In the registry's words, which it would have dead-lettered after an "accepted".
    said = await rejection(pool, early)
    assert said == f"payload.terminated_on: {answer['errors'][0]['message']}"
    # On the day of the award, it is recorded.
    on_the_day = change("terminateContract", terminated_on="2021-03-15")
    assert await receipt(pool, "terminateContract", on_the_day) == {"accepted": True, "errors": []}
    assert await logged(pool) == 1


@pytest.mark.parametrize("name", sorted(INPUTS))
async def test_a_change_of_a_contract_terminated_already_is_refused(
    pool: asyncpg.Pool, name: str
) -> None:
    ended = change("terminateContract", terminated_on="2023-03-31")
    await apply(pool, case_b.registered(), awarded(), ended)
    event = change(name)
    answer = await receipt(pool, name, event)
    message = f"contract {CONTRACT!r} was already terminated on 2023-03-31"
    assert answer == {
        "accepted": False,
        "errors": [
            {"field": "payload.contractId", "message": message, "code": "terminated_already"}
        ],
    }
    assert await rejection(pool, event) == f"payload.contract_id: {message}"
    assert await logged(pool) == 0


@pytest.mark.parametrize("name", sorted(INPUTS))
async def test_a_change_of_another_vendors_contract_is_refused(
    pool: asyncpg.Pool, name: str
) -> None:
    await apply(pool, case_b.registered(), case_b.another_vendor(OTHER), awarded(OTHER))
    event = change(name)
    answer = await receipt(pool, name, event)
    message = f"vendor {VENDOR!r} has no contract {CONTRACT!r}"  # naming no other vendor
    assert answer == {
        "accepted": False,
        "errors": [
            {"field": "payload.contractId", "message": message, "code": "other_vendors_contract"}
        ],
    }
    assert await rejection(pool, event) == f"payload.contract_id: {message}"
    assert await logged(pool) == 0


async def test_an_amendment_ending_the_term_before_it_starts_is_refused(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered(), awarded())
    event = change("amendContract", ends_on="2021-03-31")
    answer = await receipt(pool, "amendContract", event)
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [
        ("payload.endsOn", "ends_before_start")
    ]
    assert await rejection(pool, event) == f"payload.ends_on: {answer['errors'][0]['message']}"
    assert await logged(pool) == 0


@pytest.mark.parametrize("name", sorted(INPUTS))
async def test_a_change_of_a_contract_the_vendor_does_not_have_is_refused(
    pool: asyncpg.Pool, name: str
) -> None:
    """Accepted, it was dead-lettered by the registry after (a tester's finding)."""
    await apply(pool, case_b.registered())
    event = change(name)
    answer = await receipt(pool, name, event)
    message = f"vendor {VENDOR!r} has no contract {CONTRACT!r}"
    assert answer == {
        "accepted": False,
        "errors": [{"field": "payload.contractId", "message": message, "code": "unknown_contract"}],
    }
    assert await rejection(pool, event) == f"payload.contract_id: {message}"
    assert await logged(pool) == 0


async def test_a_change_of_a_contract_whose_award_is_logged_is_the_registrys_to_judge(
    pool: asyncpg.Pool,
) -> None:
    # Awarded a moment before without waitForProcessing: logged, not yet applied (no
    # registry runs); refusing the change here would refuse what the registry accepts.
    await apply(pool, case_b.registered())
    assert await typed(pool, awarded()) == {"accepted": True, "errors": []}
    early = change("terminateContract", terminated_on="2021-03-20")
    assert await receipt(pool, "terminateContract", early) == {"accepted": True, "errors": []}
    assert await logged(pool) == 2


async def test_another_agencys_contract_is_told_of_in_no_words_but_out_of_view(
    pool: asyncpg.Pool,
) -> None:
    """A system owner terminating another agency's contract hears that no such contract of
    its agencies is on record, and nothing of its termination or its vendor."""
    ended = change("terminateContract", terminated_on="2023-03-31")
    await apply(pool, case_b.registered(), awarded(), ended)
    owner = Principal("test-owner", Role.SYSTEM_OWNER, ("税務課",))
    answer = await receipt(pool, "terminateContract", change("terminateContract"), owner)
    assert answer["errors"] == [
        {
            "field": "payload.contractId",
            "message": f"no contract {CONTRACT!r} of your agencies on record",
            "code": "unknown_contract",
        }
    ]
    # The contract's own agency's system owner hears why.
    owner = Principal("test-owner", Role.SYSTEM_OWNER, ("市民課",))
    answer = await receipt(pool, "terminateContract", change("terminateContract"), owner)
    assert [e["code"] for e in answer["errors"]] == ["terminated_already"]
    assert await logged(pool) == 0


async def test_a_termination_after_the_contracts_end_is_refused(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Accepted, it was recorded as the contract's end a year after its term's, and every
    later amendment was refused as "already terminated" on that day (a tester's finding)."""
    await apply(pool, case_b.registered(), awarded(ends_on="2025-11-30"))
    late = change("terminateContract", terminated_on="2025-12-01")
    said = "2025-12-01 is after the contract's end, 2025-11-30; it had ended by then"
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", FAR)  # the receipt: whenever asked
    answer = await receipt(pool, "terminateContract", late)
    assert answer == {
        "accepted": False,
        "errors": [{"field": "payload.terminatedOn", "message": said, "code": "after_end"}],
    }
    assert await logged(pool) == 0
    # The registry, of terminations recorded from the rules of 2026-12-07 on, in its words.
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", PAST)
    assert await rejection(pool, late) == f"payload.terminated_on: {said}"
    # On its last day, it is recorded.
    last_day = change("terminateContract", terminated_on="2025-11-30")
    assert await receipt(pool, "terminateContract", last_day) == {"accepted": True, "errors": []}


async def test_a_termination_dated_ahead_is_refused(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As an award dated ahead is: recorded, the contract was terminated at once."""
    await apply(pool, case_b.registered(), awarded(ends_on="2031-01-31"))
    ahead = change("terminateContract", terminated_on="2030-01-10")
    said = "2030-01-10 is in the future"
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", FAR)
    answer = await receipt(pool, "terminateContract", ahead)
    assert answer == {  # told once, not by the contract's check as well
        "accepted": False,
        "errors": [{"field": "payload.terminatedOn", "message": said, "code": "in_the_future"}],
    }
    assert await logged(pool) == 0
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", PAST)
    assert await rejection(pool, ahead) == f"payload.terminated_on: {said}"
