"""What `eventStatus` and a waiting receipt say of an event, on a real PostgreSQL: nothing
pending only once the event has had all its effects, never for one the log does not hold."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.eventstore import verification
from tests.support import case_b
from tests.support.in_process_api import execute
from tests.support.live_consumers import applied_live
from tests.support.tampering import as_owner

pytestmark = pytest.mark.postgres

STATUS = """
query ($id: ID!) {
  eventStatus(eventId: $id) {
    accepted recordedAt appliedBy refusedBy pending missingFromLog } }"""
REGISTER_AND_WAIT = """
mutation ($vendor: VendorRegisteredInput!) {
  registerVendor(vendorId: "vendor-kept", payload: $vendor, waitForProcessing: true) {
    accepted processingTimedOut processing { accepted pending } } }"""


async def _status(pool: asyncpg.Pool, event_id: str) -> dict[str, Any]:
    status: dict[str, Any] = (await execute(pool, STATUS, id=event_id))["eventStatus"]
    return status


async def test_an_event_the_log_does_not_hold_waits_for_ingest(pool: asyncpg.Pool) -> None:
    """Not stored yet (on its way through Kafka) or never sent: a client polling until
    nothing is pending stopped at once, as if the event had had all its effects."""
    assert await _status(pool, str(uuid.uuid4())) == {
        "accepted": False,
        "recordedAt": None,
        "appliedBy": [],
        "refusedBy": [],
        "pending": ["INGEST"],
        "missingFromLog": False,
    }


async def test_an_event_removed_from_the_log_after_its_services_applied_it_says_so(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """A database owner deleted it from the store: answered as not accepted and applied by
    the registry and risk at once, a contradiction with no word of the log having lost it."""
    registered = case_b.registered()
    await ingest_batch(pool, [case_b.line(registered)])
    await applied_live(pool, database_url)
    applied = await _status(pool, registered["event_id"])
    assert (applied["accepted"], applied["missingFromLog"]) == (True, False)
    await as_owner(pool, f"DELETE FROM event_store WHERE event_id = '{registered['event_id']}'")
    status = await _status(pool, registered["event_id"])
    assert status == {
        "accepted": False,
        "recordedAt": None,
        "appliedBy": applied["appliedBy"],
        "refusedBy": [],
        "pending": [],
        "missingFromLog": True,
    }
    assert "REGISTRY" in status["appliedBy"]
    # What `verify` says of the same event.
    result = await verification.verify(pool)
    assert (
        f"ledger of registry: 1 applied event(s) are not in the log (e.g. {registered['event_id']})"
    ) in [str(problem) for problem in result.problems]


async def test_a_receipt_whose_wait_ends_with_the_effects_did_not_time_out(
    pool: asyncpg.Pool,
) -> None:
    vendor = {"legalName": "Kept K.K.", "identifiers": [{"scheme": "internal", "value": "k"}]}
    receipt = (await execute(pool, REGISTER_AND_WAIT, vendor=vendor))["registerVendor"]
    # Embedded: ingest stored it in the call; this context names no service taking it.
    assert receipt == {
        "accepted": True,
        "processingTimedOut": False,
        "processing": {"accepted": True, "pending": []},
    }
