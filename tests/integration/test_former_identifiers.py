"""A vendor's former identifiers (real PostgreSQL, the registry applying the log): an update
that replaces a barred vendor's identifiers must not take it out of screening by the number it
had. Found by a security tester: vendor B's corporate number replaced by an update, a screen
of that number answered UNKNOWN (with `knownAt` before the update too), `bidEligibility` said
no vendor had it and `vendors(search:)` found nothing, while B stayed barred by its id."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import pytest

from services.cli import rebuilding
from services.platform.eventlog.embedded import drain
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.record_receipts import submitted, typed
from tests.support.registry import REGISTRY

pytestmark = pytest.mark.postgres

OLD, NEW = "7000012050002", "8000012050001"
SCREEN = """query ($knownAt: DateTime) {
  screenBidders(bidders: [
      {ref: "1", identifier: {scheme: "corporate_number", value: "7000012050002"}},
      {ref: "2", vendorId: "vendor-b"}],
    asOf: "2023-01-10", knownAt: $knownAt) { ref status vendorId formerIdentifier } }"""
ELIGIBILITY = """query ($knownAt: DateTime) {
  bidEligibility(vendor: {identifier: {scheme: "corporate_number", value: "7000012050002"}},
    asOf: "2023-01-10", knownAt: $knownAt) { eligible } }"""
SEARCH = "query ($s: String!) { vendors(search: $s) { vendorId matchedName matchedKind } }"
IDENTIFIERS = '{ vendor(vendorId: "vendor-b") { identifiers { scheme value } } }'


def screened(former: bool) -> list[dict[str, Any]]:
    by_number = {"ref": "1", "status": "BARRED", "vendorId": case_b.VENDOR}
    by_id = {"ref": "2", "status": "BARRED", "vendorId": case_b.VENDOR}
    return [{**by_number, "formerIdentifier": former}, {**by_id, "formerIdentifier": False}]


async def numbers_replaced(pool: asyncpg.Pool) -> str:
    """B registered and suspended, then its identifiers replaced by an update; when the log
    stood before the update."""
    for event in (case_b.registered(), case_b.suspended()):
        assert (await submitted(pool, event))["accepted"]
    await drain(pool, REGISTRY)
    before: str = (await pool.fetchval("SELECT now()")).isoformat()
    identifiers = [{"scheme": "corporate_number", "value": NEW}]
    update = envelope("vendor.updated", {"identifiers": identifiers}, case_b.VENDOR)
    assert (await typed(pool, update))["accepted"]
    await drain(pool, REGISTRY)
    return before


async def test_a_former_identifier_keeps_finding_the_vendor(pool: asyncpg.Pool) -> None:
    before = await numbers_replaced(pool)
    assert (await execute(pool, IDENTIFIERS))["vendor"]["identifiers"] == [
        {"scheme": "corporate_number", "value": NEW}
    ]
    # As known before the update, the number was B's own.
    answer = await execute(pool, ELIGIBILITY, knownAt=before)
    assert answer["bidEligibility"] == {"eligible": False}
    assert (await execute(pool, SCREEN, knownAt=before))["screenBidders"] == screened(False)
    # Today it still finds B, said to be a number B held before.
    assert (await execute(pool, SCREEN, knownAt=None))["screenBidders"] == screened(True)
    assert (await execute(pool, ELIGIBILITY, knownAt=None))["bidEligibility"] == {"eligible": False}
    hits = (await execute(pool, SEARCH, s=OLD))["vendors"]
    assert hits[0] == {
        "vendorId": case_b.VENDOR,
        "matchedName": "株式会社ビーシステム",
        "matchedKind": "FORMER_IDENTIFIER",
    }


async def test_a_number_another_vendor_holds_now_is_answered_as_its_own(
    pool: asyncpg.Pool,
) -> None:
    """The old number registered to another vendor after the update: today it is that
    vendor's (one identifier, one holder); as known before the update it was still B's."""
    before = await numbers_replaced(pool)
    other = {
        "legal_name": "Other K.K.",
        "identifiers": [{"scheme": "corporate_number", "value": OLD}],
    }
    assert (await submitted(pool, envelope("vendor.registered", other, "vendor-o")))["accepted"]
    await drain(pool, REGISTRY)
    (now, _) = (await execute(pool, SCREEN, knownAt=None))["screenBidders"]
    assert now == {
        "ref": "1",
        "status": "ELIGIBLE",
        "vendorId": "vendor-o",
        "formerIdentifier": False,
    }
    assert (await execute(pool, SCREEN, knownAt=before))["screenBidders"] == screened(False)
    # Between B's update and the other vendor's registration, nobody held it but B before.
    between = await pool.fetchval(
        "SELECT recorded_at FROM registry_vendors WHERE vendor_id = 'vendor-o'"
    ) - dt.timedelta(microseconds=1)
    screened_then = await execute(pool, SCREEN, knownAt=between.isoformat())
    assert screened_then["screenBidders"] == screened(True)


async def test_a_rebuild_keeps_the_former_identifiers(
    pool: asyncpg.Pool, database_url: str
) -> None:
    before = await numbers_replaced(pool)
    await rebuilding.rebuild(Settings(database_url=database_url), ["registry"], force=True)
    assert (await execute(pool, SCREEN, knownAt=before))["screenBidders"] == screened(False)
    assert (await execute(pool, SCREEN, knownAt=None))["screenBidders"] == screened(True)
