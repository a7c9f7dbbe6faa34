"""The API's receipt refuses a step on a record that the registry would refuse, judged against
the record on record, in the registry's words and with a code, before the log (real
PostgreSQL): a decision on a subcontract decided already, another vendor's or under another
contract, and a re-subcontract of such a parent; a decision on, or a re-subcontract of, a
subcontract the vendor does not have; a step on an incident the vendor does not have, closed
already, or dated before the incident occurred; a settlement of a claim the vendor does not
have, settled already, in another currency or dated before the filing. The receipt said
accepted, then the registry dead-lettered the event. Nothing refused is written; a record
whose creation is logged but not on record yet is still the registry's to judge, and a system
owner hears nothing of another agency's record."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.platform.security.auth import Principal, Role
from tests.support import case_b
from tests.support.event_examples import DROP, envelope, example
from tests.support.record_receipts import codes, logged, submitted, typed
from tests.support.registry_db import apply, rejection

pytestmark = pytest.mark.postgres

VENDOR, OTHER = case_b.VENDOR, "vendor-c"
CONTRACT, SECOND = "c-2022-benefit-payments", "c-2023-tax-forms"
OWNER = Principal("test-owner", Role.SYSTEM_OWNER, ("市民課",))  # the contracts' agency
STRANGER = Principal("test-owner", Role.SYSTEM_OWNER, ("税務課",))


def event(event_type: str, vendor_id: str = VENDOR, **changes: Any) -> dict[str, Any]:
    return envelope(event_type, example(event_type, **changes), vendor_id)


def awarded(vendor_id: str = VENDOR, contract_id: str = CONTRACT) -> dict[str, Any]:
    return event("contract.awarded", vendor_id, contract_id=contract_id)


def requested(
    subcontract_id: str = "sc-1", vendor_id: str = VENDOR, contract_id: str = CONTRACT, **more: Any
) -> dict[str, Any]:
    changes = {"parent_subcontract_id": DROP, **more}
    return event(
        "contract.subcontract_requested",
        vendor_id,
        subcontract_id=subcontract_id,
        contract_id=contract_id,
        **changes,
    )


def decided(event_type: str, vendor_id: str = VENDOR, **changes: Any) -> dict[str, Any]:
    """A decision on sc-1 under the contract (`contract.subcontract_approved` or `_rejected`)."""
    return event(
        event_type, vendor_id, **{"subcontract_id": "sc-1", "contract_id": CONTRACT, **changes}
    )


async def refused_alike(pool: asyncpg.Pool, sent: dict[str, Any]) -> dict[str, Any]:
    """The receipt's one problem, which must be the registry's reason for the event, in its
    words; nothing is logged."""
    receipt = await submitted(pool, sent)
    assert receipt["accepted"] is False
    problems: list[dict[str, Any]] = receipt["errors"]
    [problem] = problems
    said = await rejection(pool, sent)
    assert said == f"{problem['field']}: {problem['message']}"
    assert await logged(pool) == 0
    return problem


DECISIONS = ("contract.subcontract_approved", "contract.subcontract_rejected")


@pytest.mark.parametrize("decision", DECISIONS)
async def test_a_subcontract_decided_already_is_not_decided_again(
    pool: asyncpg.Pool, decision: str
) -> None:
    # Approved on 2022-05-20.
    await apply(pool, case_b.registered(), awarded(), requested(), decided(DECISIONS[0]))
    problem = await refused_alike(pool, decided(decision))
    assert problem == {
        "field": "payload.subcontract_id",
        "message": "subcontract 'sc-1' was already approved on 2022-05-20",
        "code": "decided_already",
    }


async def test_a_decision_on_another_vendors_subcontract_is_refused(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered(), case_b.another_vendor(OTHER))
    await apply(pool, awarded(OTHER), requested(vendor_id=OTHER))
    problem = await refused_alike(pool, decided(DECISIONS[0]))
    assert problem == {
        "field": "payload.subcontract_id",
        "message": "vendor 'vendor-b' has no subcontract 'sc-1'",  # naming no other vendor
        "code": "other_vendors_subcontract",
    }


async def test_a_re_subcontract_of_another_vendors_subcontract_is_refused(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered(), case_b.another_vendor(OTHER))
    await apply(pool, awarded(OTHER), requested(vendor_id=OTHER), awarded(VENDOR, SECOND))
    # Under the vendor's own contract.
    again = requested("sc-2", contract_id=SECOND, parent_subcontract_id="sc-1")
    problem = await refused_alike(pool, again)
    assert (problem["field"], problem["code"]) == (
        "payload.parent_subcontract_id",
        "other_vendors_subcontract",
    )


async def test_a_subcontract_named_under_another_contract_is_refused(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered(), awarded(), awarded(VENDOR, SECOND), requested())
    problem = await refused_alike(pool, decided(DECISIONS[1], contract_id=SECOND))
    assert problem == {
        "field": "payload.contract_id",
        "message": f"subcontract 'sc-1' is of contract {CONTRACT!r}, not {SECOND!r}",
        "code": "other_contracts_subcontract",
    }


async def test_a_re_subcontract_under_another_contract_than_its_parents_is_refused(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered(), awarded(), awarded(VENDOR, SECOND), requested())
    again = requested("sc-2", contract_id=SECOND, parent_subcontract_id="sc-1")
    problem = await refused_alike(pool, again)
    assert (problem["field"], problem["code"]) == (
        "payload.parent_subcontract_id",
        "other_contracts_subcontract",
    )


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        (decided(DECISIONS[0], subcontract_id="nope-9"), "subcontract_id"),
        (decided(DECISIONS[1], subcontract_id="nope-9"), "subcontract_id"),
        (requested("sc-2", parent_subcontract_id="nope-9"), "parent_subcontract_id"),
    ],
    ids=["approval", "rejection", "re-subcontract"],
)
async def test_a_subcontract_the_vendor_does_not_have_is_refused(
    pool: asyncpg.Pool, sent: dict[str, Any], field: str
) -> None:
    """Accepted, it was dead-lettered by the registry after (nobody requested it)."""
    await apply(pool, case_b.registered(), awarded(), requested())
    problem = await refused_alike(pool, sent)
    assert problem == {
        "field": f"payload.{field}",
        "message": "vendor 'vendor-b' has no subcontract 'nope-9'",
        "code": "unknown_subcontract",
    }


def reported(**changes: Any) -> dict[str, Any]:
    """The case's incident under the contract (occurred on 2022-06-21), caused by the vendor."""
    return event("incident.reported", caused_by_vendor_id=DROP, **changes)


INCIDENT_STEPS = ("incident.investigated", "incident.closed")


@pytest.mark.parametrize("step", INCIDENT_STEPS)
async def test_a_closed_incident_takes_no_further_step(pool: asyncpg.Pool, step: str) -> None:
    await apply(pool, case_b.registered(), awarded(), reported(), event("incident.closed"))
    problem = await refused_alike(pool, event(step))
    assert problem == {
        "field": "payload.incident_id",
        "message": "incident 'inc-2022-usb' was already closed on 2022-11-28",
        "code": "closed_already",
    }


@pytest.mark.parametrize("step", INCIDENT_STEPS)
async def test_a_step_dated_before_the_incident_occurred_is_refused(
    pool: asyncpg.Pool, step: str
) -> None:
    await apply(pool, case_b.registered(), awarded(), reported())
    field = step.removeprefix("incident.") + "_on"
    problem = await refused_alike(pool, event(step, **{field: "2022-06-20"}))
    assert problem == {
        "field": f"payload.{field}",
        "message": "2022-06-20 is before the incident occurred, on 2022-06-21",
        "code": "before_occurred",
    }


ANALYST = Principal("test-analyst", Role.RISK_ANALYST, ())
AUTHORITY = Principal("test-authority", Role.SANCTION_AUTHORITY, ())  # who settles claims


@pytest.mark.parametrize("step", INCIDENT_STEPS)
async def test_a_step_on_an_incident_the_vendor_does_not_have_is_refused(
    pool: asyncpg.Pool, step: str
) -> None:
    """Accepted, it was dead-lettered by the registry after (a tester's finding)."""
    await apply(pool, case_b.registered(), case_b.another_vendor(OTHER), awarded(), reported())
    problem = await refused_alike(pool, event(step, incident_id="nope-9"))
    assert problem == {
        "field": "payload.incident_id",
        "message": "vendor 'vendor-b' has no incident 'nope-9'",
        "code": "unknown_incident",
    }
    # Incidents are numbered per vendor: another vendor's incident of that id is not its.
    answer = await typed(pool, event(step, OTHER), ANALYST)
    assert answer == {
        "accepted": False,
        "errors": [
            {
                "field": "payload.incidentId",
                "message": "vendor 'vendor-c' has no incident 'inc-2022-usb'",
                "code": "unknown_incident",
            }
        ],
    }
    assert await logged(pool) == 0


def filed() -> tuple[dict[str, Any], ...]:
    """The claim filed on 2022-11-28 in JPY, for the incident, and what it names."""
    return case_b.registered(), awarded(), reported(), event("claim.filed")


async def test_a_settlement_of_a_claim_the_vendor_does_not_have_is_refused(
    pool: asyncpg.Pool,
) -> None:
    """Accepted, it was dead-lettered by the registry after (nobody filed it)."""
    await apply(pool, *filed(), case_b.another_vendor(OTHER))
    problem = await refused_alike(pool, event("claim.settled", claim_id="nope-9"))
    assert problem == {
        "field": "payload.claim_id",
        "message": "vendor 'vendor-b' has no claim 'nope-9'",
        "code": "unknown_claim",
    }
    # Claims are numbered per vendor: another vendor's claim of that id is not its (said at
    # the field as `settleClaim` names it).
    answer = await typed(pool, event("claim.settled", OTHER), AUTHORITY)
    assert answer == {
        "accepted": False,
        "errors": [
            {
                "field": "payload.claimId",
                "message": "vendor 'vendor-c' has no claim 'claim-2022-usb'",
                "code": "unknown_claim",
            }
        ],
    }
    assert await logged(pool) == 0


async def test_a_settled_claim_is_not_settled_again(pool: asyncpg.Pool) -> None:
    await apply(pool, *filed(), event("claim.settled"))  # on 2023-03-31
    problem = await refused_alike(pool, event("claim.settled", settled_on="2023-04-01"))
    assert problem == {
        "field": "payload.claim_id",
        "message": "claim 'claim-2022-usb' was already settled on 2023-03-31",
        "code": "settled_already",
    }


async def test_a_settlement_in_another_currency_is_refused(pool: asyncpg.Pool) -> None:
    await apply(pool, *filed())
    problem = await refused_alike(pool, event("claim.settled", currency="USD"))
    assert problem == {
        "field": "payload.currency",
        "message": "'USD' is not the claim's currency 'JPY'",
        "code": "other_currency",
    }


async def test_a_settlement_dated_before_the_filing_is_refused(pool: asyncpg.Pool) -> None:
    await apply(pool, *filed())
    problem = await refused_alike(pool, event("claim.settled", settled_on="2022-11-27"))
    assert problem == {
        "field": "payload.settled_on",
        "message": "2022-11-27 is before the claim was filed, on 2022-11-28",
        "code": "before_filing",
    }


async def test_a_step_on_a_record_not_on_record_yet_is_the_registrys_to_judge(
    pool: asyncpg.Pool,
) -> None:
    # Its request, report or filing may be in the log, not applied yet (sent a moment before
    # without waitForProcessing): refusing the step here would refuse what the registry
    # accepts. It must be there even so (the log holds each step's record's creation).
    await apply(pool, case_b.registered(), awarded())
    steps = [
        requested(),
        decided(DECISIONS[0]),
        requested("sc-2", parent_subcontract_id="sc-1"),
        reported(),
        event("incident.closed", closed_on="2000-01-01"),
        event("claim.filed"),
        event("claim.settled", settled_on="2000-01-01", currency="USD"),
    ]
    for sent in steps:
        assert await submitted(pool, sent) == {"accepted": True, "errors": []}
    assert await logged(pool) == len(steps)


async def test_another_agencys_subcontract_is_told_of_in_no_words_but_out_of_view(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered(), awarded(), requested(), decided(DECISIONS[0]))
    answer = await typed(pool, decided(DECISIONS[1]), STRANGER)
    assert codes(answer) == [
        ("payload.contractId", "unknown_contract"),
        ("payload.subcontractId", "unknown_subcontract"),
    ]
    assert "approved" not in str(answer)
    # The subcontract's own agency's system owner hears why; of one nobody requested, once.
    answer = await typed(pool, decided(DECISIONS[1]), OWNER)
    assert codes(answer) == [("payload.subcontractId", "decided_already")]
    answer = await typed(pool, decided(DECISIONS[1], subcontract_id="nope-9"), OWNER)
    assert codes(answer) == [("payload.subcontractId", "unknown_subcontract")]
    assert await logged(pool) == 0
