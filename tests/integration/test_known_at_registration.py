"""`knownAt` asks for the record as it stood then, and a vendor registered later was not on it
(real PostgreSQL, the registry applying the log; a reviewer's finding). Asked as known before
vendor B was registered, `bidEligibility` by its id or its corporate number, `bidEligibilityMany`
and `screenBidders` found B and answered it eligible: a record that did not exist vouched for a
bidder. They now answer as they answer a vendor nobody registered, saying why."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from services.platform.eventlog.embedded import drain
from tests.support import case_b
from tests.support.in_process_api import execute, graphql
from tests.support.principals import ADMIN
from tests.support.record_receipts import submitted
from tests.support.registry import REGISTRY

pytestmark = pytest.mark.postgres

NUMBER = "7000012050002"  # B's corporate number
BY_ID = """query ($v: ID!, $k: DateTime) {
  bidEligibility(vendor: {id: $v}, asOf: "2023-01-10", knownAt: $k) { vendorId eligible } }"""
BY_NUMBER = """query ($k: DateTime) {
  bidEligibility(vendor: {identifier: {scheme: "corporate_number", value: "7000012050002"}},
    asOf: "2023-01-10", knownAt: $k) { vendorId eligible } }"""
MANY = """query ($v: [ID!]!, $k: DateTime) {
  bidEligibilityMany(vendorIds: $v, asOf: "2023-01-10", knownAt: $k) { vendorId eligible } }"""
SCREEN = """query ($k: DateTime) { screenBidders(bidders: [
    {ref: "id", vendorId: "vendor-b"},
    {ref: "number", identifier: {scheme: "corporate_number", value: "7000012050002"}},
    {ref: "nobody", vendorId: "vendor-x"}],
  asOf: "2023-01-10", knownAt: $k) { ref status vendorId eligibility { eligible } } }"""


async def registered_later(pool: asyncpg.Pool) -> tuple[str, str]:
    """A moment before B was registered (suspended from 2022-07-09), and when the log
    recorded B's registration."""
    before: dt.datetime = await pool.fetchval("SELECT now()")
    for event in (case_b.registered(), case_b.suspended()):
        assert (await submitted(pool, event))["accepted"]
    await drain(pool, REGISTRY)
    recorded: dt.datetime = await pool.fetchval(
        "SELECT recorded_at FROM registry_vendors WHERE vendor_id = $1", case_b.VENDOR
    )
    return before.isoformat(), recorded.isoformat()


async def test_a_vendor_registered_after_known_at_is_not_on_record(pool: asyncpg.Pool) -> None:
    before, recorded = await registered_later(pool)
    not_yet = f"as the registry stood at {before} (knownAt): it was recorded at {recorded}"
    # As any vendor not on record: an error naming the id, and here why.
    assert await graphql(pool, ADMIN, BY_ID, v="vendor-x", k=before) == {
        "data": None,
        "errors": ["vendorId: unknown vendor 'vendor-x'"],
    }
    assert await graphql(pool, ADMIN, BY_ID, v=case_b.VENDOR, k=before) == {
        "data": None,
        "errors": [f"vendorId: unknown vendor 'vendor-b' {not_yet}"],
    }
    assert await graphql(pool, ADMIN, BY_NUMBER, k=before) == {
        "data": None,
        "errors": [
            f"identifier: no vendor had corporate_number {NUMBER!r} as the registry stood at"
            f" {before} (knownAt): its holder was recorded later"
        ],
    }
    assert await graphql(pool, ADMIN, MANY, v=[case_b.VENDOR, "vendor-x"], k=before) == {
        "data": None,
        "errors": [
            "vendorIds: unknown vendors 'vendor-b', 'vendor-x' (as the registry stood at"
            f" {before} (knownAt), 'vendor-b' was recorded later)"
        ],
    }
    # Screened: UNKNOWN, as the id nobody registered beside it.
    unknown = {"status": "UNKNOWN", "vendorId": None, "eligibility": None}
    screened = (await execute(pool, SCREEN, k=before))["screenBidders"]
    assert screened == [{"ref": ref, **unknown} for ref in ("id", "number", "nobody")]


async def test_from_its_registration_the_vendor_is_found(pool: asyncpg.Pool) -> None:
    _, recorded = await registered_later(pool)
    # Registered at that moment, its suspension recorded after: on record, not yet barred.
    answer = (await execute(pool, BY_ID, v=case_b.VENDOR, k=recorded))["bidEligibility"]
    assert answer == {"vendorId": case_b.VENDOR, "eligible": True}
    assert (await execute(pool, BY_NUMBER, k=recorded))["bidEligibility"] == answer
    many = await execute(pool, MANY, v=[case_b.VENDOR], k=recorded)
    assert many["bidEligibilityMany"] == [answer]
    screened = (await execute(pool, SCREEN, k=recorded))["screenBidders"]
    assert [s["status"] for s in screened] == ["ELIGIBLE", "ELIGIBLE", "UNKNOWN"]
    screened = (await execute(pool, SCREEN, k=None))["screenBidders"]
    assert [s["status"] for s in screened] == ["BARRED", "BARRED", "UNKNOWN"]
