"""The API's receipt refuses an event adding a record whose id is on record already, as the
registry would, in its words and with a code, before the log (real PostgreSQL): an award, a
subcontract request, an incident report, a claim or a certificate sent twice as two events,
and a contract id another vendor's contract holds. The receipt said accepted, then the
registry dead-lettered the event. The same event sent again is the log's to answer, and a
system owner is refused an id another agency's record holds in the words an id of their own
gets, naming no record: before, it was accepted and dead-lettered "already recorded",
which confirmed a record they cannot see."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.platform.eventlog.embedded import drain
from services.platform.security.auth import Principal, Role
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from tests.support import case_b, in_process_api
from tests.support.event_examples import DROP, envelope, example
from tests.support.record_receipts import codes, logged, submitted, typed
from tests.support.registry_db import apply, rejection

pytestmark = pytest.mark.postgres

VENDOR, OTHER = case_b.VENDOR, "vendor-c"
CONTRACT = "c-2022-benefit-payments"  # the examples' records name it; of 市民課


def event(event_type: str, vendor_id: str = VENDOR, **changes: Any) -> dict[str, Any]:
    return envelope(event_type, example(event_type, **changes), vendor_id)


def awarded(vendor_id: str = VENDOR) -> dict[str, Any]:
    return event("contract.awarded", vendor_id, contract_id=CONTRACT)


# Each new record, with its id's field, under the vendor's contract and naming nothing else.
NEW = {
    "contract.awarded": ("contract_id", {"contract_id": CONTRACT}),
    "contract.subcontract_requested": ("subcontract_id", {"parent_subcontract_id": DROP}),
    "incident.reported": ("incident_id", {"caused_by_vendor_id": DROP}),
    "claim.filed": ("claim_id", {"incident_id": DROP}),
    "certificate.submitted": ("certificate_id", {}),
}


@pytest.mark.parametrize("event_type", sorted(NEW))
async def test_a_record_sent_twice_as_two_events_is_refused_the_second_time(
    pool: asyncpg.Pool, event_type: str
) -> None:
    field, changes = NEW[event_type]
    first = event(event_type, **changes)
    await apply(pool, case_b.registered(), *([] if field == "contract_id" else [awarded()]), first)
    second = event(event_type, **changes)
    receipt = await submitted(pool, second)
    assert receipt == {
        "accepted": False,
        "errors": [
            {
                "field": f"payload.{field}",
                "message": f"{first['payload'][field]!r} is already in use; choose another",
                "code": "recorded_already",
            }
        ],
    }
    problem = receipt["errors"][0]
    assert await rejection(pool, second) == f"{problem['field']}: {problem['message']}"
    assert await logged(pool) == 0


async def test_a_contract_id_another_vendors_contract_holds_is_refused(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered(), case_b.another_vendor(OTHER), awarded(OTHER))
    receipt = await submitted(pool, awarded())
    assert codes(receipt) == [("payload.contract_id", "recorded_already")]
    assert OTHER not in str(receipt)  # naming no other vendor
    assert await logged(pool) == 0


async def test_the_same_event_sent_again_is_the_logs_to_answer(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered())
    award = awarded()
    assert await submitted(pool, award) == {"accepted": True, "errors": []}
    await apply(pool, award)  # the registry applied it
    assert await submitted(pool, award) == {"accepted": True, "errors": []}
    assert await logged(pool) == 1


async def test_an_id_another_agencys_record_holds_is_refused_as_one_of_ones_own(
    pool: asyncpg.Pool,
) -> None:
    """The tester's case: an owner of 市民課 reporting an incident under the id of an incident
    of 税務課's contract hears what an owner of 税務課 hears, at the receipt."""
    tax = "c-2023-tax-office"
    await apply(
        pool,
        case_b.registered(),
        event("contract.awarded", contract_id=tax, agency="税務課"),
        event("incident.reported", incident_id="i-tax", contract_id=tax, caused_by_vendor_id=DROP),
    )
    # Another incident of the vendor, under no contract: not of the tax office's.
    again = event(
        "incident.reported", incident_id="i-tax", contract_id=DROP, caused_by_vendor_id=DROP
    )
    answers = []
    for agency in ("市民課", "税務課"):
        owner = Principal("test-owner", Role.SYSTEM_OWNER, (agency,))
        answers.append(await typed(pool, again, owner))
    refused = {
        "accepted": False,
        "errors": [
            {
                "field": "payload.incidentId",
                "message": "'i-tax' is already in use; choose another",
                "code": "recorded_already",
            }
        ],
    }
    assert answers == [refused, refused]
    # So is an award under the id of the tax office's contract, another vendor's.
    await apply(pool, case_b.another_vendor(OTHER))
    owner = Principal("test-owner", Role.SYSTEM_OWNER, ("市民課",))
    theirs = event("contract.awarded", OTHER, contract_id=tax)
    assert codes(await typed(pool, theirs, owner)) == [("payload.contractId", "recorded_already")]
    assert await logged(pool) == 0


async def test_a_vendor_or_a_sanction_id_on_record_is_refused_in_the_receipt(
    pool: asyncpg.Pool,
) -> None:
    """Both said accepted, then the registry dead-lettered them ("already registered",
    "already exists"): now refused at once, in its words."""
    await apply(pool, case_b.registered(), case_b.another_vendor(OTHER), case_b.suspended())
    again = case_b.registered()
    taken = case_b.suspended(OTHER)  # the sanction id is vendor B's
    receipts = [await submitted(pool, e) for e in (again, taken)]
    said = [
        ("vendor_id", f"{VENDOR!r} is already registered; send vendor.updated to change it"),
        (
            "payload.sanction_id",
            "'city-2022-001' already exists; send sanction.amended to change it",
        ),
    ]
    assert receipts == [
        {
            "accepted": False,
            "errors": [{"field": field, "message": message, "code": "recorded_already"}],
        }
        for field, message in said
    ]
    assert await logged(pool) == 0
    # The registry's own words, for such events from any other producer.
    assert await rejection(pool, again) == f"vendor_id: {said[0][1]}"
    assert await rejection(pool, taken) == f"payload.sanction_id: {said[1][1]}"


async def test_a_registration_giving_another_vendors_identifier_is_refused_in_the_receipt(
    pool: asyncpg.Pool,
) -> None:
    """Vendor B's corporate number written in full width with hyphens, as a form may give it:
    the receipt said accepted, then the registry dead-lettered the registration. Now refused
    at once, read as the registry reads it, in its words."""
    await apply(pool, case_b.registered())
    held = {"scheme": "corporate_number", "value": "７-００００-１２０５-０００２"}
    other = envelope("vendor.registered", {"legal_name": "株式会社テスト電算"}, OTHER)
    other["payload"]["identifiers"] = [held]
    message = "already belong to another vendor: corporate_number 7000012050002 (vendor vendor-b)"
    assert await submitted(pool, other) == {
        "accepted": False,
        "errors": [
            {"field": "payload.identifiers", "message": message, "code": "identifier_taken"}
        ],
    }
    assert await logged(pool) == 0
    assert await rejection(pool, other) == f"payload.identifiers: {message}"
    # Nor given to a vendor on record by an update.
    await apply(pool, case_b.another_vendor(OTHER))
    update = envelope("vendor.updated", {"identifiers": [held]}, OTHER)
    assert (await submitted(pool, update))["errors"] == [
        {"field": "payload.identifiers", "message": message, "code": "identifier_taken"}
    ]
    assert await rejection(pool, update) == f"payload.identifiers: {message}"


async def test_a_keyed_registration_sent_again_still_answers_its_receipt(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """The same event sent again is the log's to answer, before any check: a registration
    retried once the registry applied it is not refused as registered."""
    officer = Principal("officer@city", Role.PROCUREMENT_OFFICER, ())
    register = """mutation { registerVendor(vendorId: "idem1", idempotencyKey: "erp-1",
        payload: {legalName: "Kita Co", country: "JP"}) { accepted eventId errors { code } } }"""
    first = (await in_process_api.execute(pool, register, officer))["registerVendor"]
    settings = Settings(database_url=database_url)
    await drain(pool, registry_setup.consumer(settings, registry_setup.policies(settings)))
    assert await pool.fetchval("SELECT count(*) FROM registry_vendors") == 1
    again = (await in_process_api.execute(pool, register, officer))["registerVendor"]
    assert first["accepted"] and again == first
    unkeyed = register.replace('idempotencyKey: "erp-1",', "")
    refused = (await in_process_api.execute(pool, unkeyed, officer))["registerVendor"]
    assert refused["errors"] == [{"code": "recorded_already"}]  # at vendorId
