"""The API's receipt refuses an incident report or a claim for the records it names, as the
registry would, in its words and with a code, before the log (real PostgreSQL): a contract of
another vendor's, a claim filed before its incident occurred, a contract or an incident the
vendor does not have, a causing vendor nobody registered. The receipt said accepted, then the
registry dead-lettered the event. What is named but not on record yet, its creation logged,
is still the registry's to judge, and a system owner hears nothing of another agency's
contract."""

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
CONTRACT = "c-2022-benefit-payments"  # the incident's and the claim's, of 市民課


def event(event_type: str, vendor_id: str = VENDOR, **changes: Any) -> dict[str, Any]:
    return envelope(event_type, example(event_type, **changes), vendor_id)


def awarded(vendor_id: str = VENDOR) -> dict[str, Any]:
    return event("contract.awarded", vendor_id, contract_id=CONTRACT)


def reported(**changes: Any) -> dict[str, Any]:
    """The incident under the contract, occurred on 2022-06-21, caused by the vendor."""
    return event("incident.reported", **{"caused_by_vendor_id": DROP, **changes})


def filed(**changes: Any) -> dict[str, Any]:
    """The claim under the contract, for the incident."""
    return event("claim.filed", **changes)


async def refused_alike(pool: asyncpg.Pool, sent: dict[str, Any]) -> dict[str, Any]:
    """The receipt's one problem, which must be the registry's reason for the event, in its
    words; nothing is logged."""
    receipt = await submitted(pool, sent)
    assert receipt["accepted"] is False
    problems: list[dict[str, Any]] = receipt["errors"]
    [problem] = problems
    assert await rejection(pool, sent) == f"{problem['field']}: {problem['message']}"
    assert await logged(pool) == 0
    return problem


@pytest.mark.parametrize("naming", [reported(), filed(incident_id=DROP)], ids=["incident", "claim"])
async def test_another_vendors_contract_is_refused(
    pool: asyncpg.Pool, naming: dict[str, Any]
) -> None:
    await apply(pool, case_b.registered(), case_b.another_vendor(OTHER), awarded(OTHER))
    problem = await refused_alike(pool, naming)
    assert problem == {
        "field": "payload.contract_id",
        "message": f"contract {CONTRACT!r} belongs to vendor {OTHER!r}, not {VENDOR!r}",
        "code": "other_vendors_contract",
    }


async def test_a_claim_filed_before_its_incident_occurred_is_refused(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered(), awarded(), reported())
    problem = await refused_alike(pool, filed(filed_on="2022-06-20"))
    assert problem == {
        "field": "payload.filed_on",
        "message": "2022-06-20 is before incident 'inc-2022-usb' occurred, on 2022-06-21",
        "code": "before_occurred",
    }


@pytest.mark.parametrize(
    ("naming", "field", "noun"),
    [
        (filed(incident_id="nope-9"), "incident_id", "incident"),
        (filed(incident_id=DROP, contract_id="nope-9"), "contract_id", "contract"),
        (reported(incident_id="inc-2", contract_id="nope-9"), "contract_id", "contract"),
    ],
    ids=["claim's incident", "claim's contract", "incident's contract"],
)
async def test_a_record_the_vendor_does_not_have_is_refused(
    pool: asyncpg.Pool, naming: dict[str, Any], field: str, noun: str
) -> None:
    """Accepted, it was dead-lettered by the registry after (nobody reported or awarded it)."""
    await apply(pool, case_b.registered(), awarded(), reported())
    problem = await refused_alike(pool, naming)
    assert problem == {
        "field": f"payload.{field}",
        "message": f"vendor {VENDOR!r} has no {noun} 'nope-9'",
        "code": f"unknown_{noun}",
    }


async def test_an_incident_caused_by_a_vendor_nobody_registered_is_refused(
    pool: asyncpg.Pool,
) -> None:
    """Accepted, it was dead-lettered by the registry after (nor did the log register it)."""
    await apply(pool, case_b.registered(), awarded())
    problem = await refused_alike(pool, reported(caused_by_vendor_id="vendor-d"))
    assert problem == {
        "field": "payload.caused_by_vendor_id",
        "message": "unknown vendor 'vendor-d'; register it first",
        "code": "unknown_vendor",
    }
    # As `reportIncident` names it.
    answer = await typed(pool, reported(caused_by_vendor_id="vendor-d"))
    assert codes(answer) == [("payload.causedByVendorId", "unknown_vendor")]
    assert await logged(pool) == 0


async def test_what_is_named_but_not_on_record_yet_is_the_registrys_to_judge(
    pool: asyncpg.Pool,
) -> None:
    # The contract's award, the incident's report, the causer's registration may be in the
    # log, not applied yet (sent a moment before without waitForProcessing): refusing here
    # would refuse what the registry accepts. It must be there even so.
    await apply(pool, case_b.registered())
    sent = [
        case_b.another_vendor("vendor-d"),
        awarded(),
        reported(caused_by_vendor_id="vendor-d"),
        filed(filed_on="2000-01-01"),
    ]
    for naming in sent:
        assert await submitted(pool, naming) == {"accepted": True, "errors": []}
    assert await logged(pool) == len(sent)


async def test_another_agencys_contract_is_told_of_in_no_words_but_out_of_view(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered(), case_b.another_vendor(OTHER), awarded(OTHER))
    stranger = Principal("test-owner", Role.SYSTEM_OWNER, ("税務課",))
    answer = await typed(pool, reported(), stranger)
    assert codes(answer) == [("payload.contractId", "unknown_contract")]
    assert OTHER not in str(answer)
    # The contract's own agency's system owner hears why; of one nobody awarded, once.
    owner = Principal("test-owner", Role.SYSTEM_OWNER, ("市民課",))
    answer = await typed(pool, reported(), owner)
    assert codes(answer) == [("payload.contractId", "other_vendors_contract")]
    answer = await typed(pool, reported(contract_id="nope-9"), owner)
    assert codes(answer) == [("payload.contractId", "unknown_contract")]
    assert await logged(pool) == 0
