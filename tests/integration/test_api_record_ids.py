"""The API's receipt refuses an event adding a record whose id is on record already, as the
registry would, in its words and with a code, before the log (real PostgreSQL): an award, a
subcontract request, an incident report, a claim or a certificate sent twice as two events,
and a contract id another vendor's contract holds. The receipt said accepted, then the
registry dead-lettered the event. The same event sent again is the log's to answer, and a
system owner hears nothing of another agency's record."""

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
                "message": f"{first['payload'][field]!r} is already recorded",
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


async def test_another_agencys_record_is_told_of_by_nothing(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered(), case_b.another_vendor(OTHER), awarded(OTHER))
    # An award of the tax office's under the id of the residents' office's contract.
    stranger = Principal("test-owner", Role.SYSTEM_OWNER, ("税務課",))
    theirs = event("contract.awarded", contract_id=CONTRACT, agency="税務課")
    assert await typed(pool, theirs, stranger) == {"accepted": True, "errors": []}
    owner = Principal("test-owner", Role.SYSTEM_OWNER, ("市民課",))
    answer = await typed(pool, awarded(), owner)
    assert codes(answer) == [("payload.contractId", "recorded_already")]
    assert await logged(pool) == 1
