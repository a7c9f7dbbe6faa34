"""What `eventStatus` and a waiting receipt say of an event, on a real PostgreSQL: nothing
pending only once the event has had all its effects, never for one the log does not hold."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest

from tests.support.in_process_api import execute

pytestmark = pytest.mark.postgres

STATUS = """
query ($id: ID!) {
  eventStatus(eventId: $id) { accepted recordedAt appliedBy refusedBy pending } }"""
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
    }


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
