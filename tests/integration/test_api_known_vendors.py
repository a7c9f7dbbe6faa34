"""The receipt of an event about a vendor the registry does not know, through the API on a real
PostgreSQL: an award, an imposition, an incident… of a vendor nobody registered is refused at
`vendorId` (`submitEvent`: `vendor_id`), `unknown_vendor`, nothing written, as the registry
would refuse it after; one whose registration the log holds, still unapplied by the registry
(sent a moment before), is accepted, and the registry then applies it."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.events.vendor import VendorRegistered
from services.platform.eventlog.embedded import drain
from services.registry.domain.known_vendors import OF_REGISTERED_VENDORS
from services.registry.handlers import RegistryHandlers
from services.registry.records import RecordHandlers
from tests.support import case_b
from tests.support.event_examples import envelope, example
from tests.support.record_receipts import codes, logged, submitted, typed
from tests.support.registry import REGISTRY, TOKYO, FixedClock
from tests.support.registry_db import rejection

pytestmark = pytest.mark.postgres

GHOST = "vendor-zzz"
SAID = "unknown vendor 'vendor-zzz'; register it first"
ACCEPTED = {"accepted": True, "errors": []}


def of_ghost(event_type: str) -> dict[str, Any]:
    return envelope(event_type, example(event_type), GHOST)


def test_the_events_checked_are_every_one_the_registry_rules_on_but_a_registration() -> None:
    """A rule added to the registry for a new event type about a vendor's record is checked."""
    clock = FixedClock(TOKYO)
    ruled = RegistryHandlers(clock, {}).by_event_type() | RecordHandlers(clock).by_event_type()
    assert set(ruled) - {VendorRegistered.event_type} == OF_REGISTERED_VENDORS


async def test_an_event_of_a_vendor_nobody_registered_is_refused_at_its_vendor(
    pool: asyncpg.Pool,
) -> None:
    before = await logged(pool)
    for event_type in sorted(OF_REGISTERED_VENDORS):
        event = of_ghost(event_type)
        for receipt, field in (
            (await typed(pool, event), "vendorId"),
            (await submitted(pool, event), "vendor_id"),
        ):
            assert receipt["accepted"] is False, (event_type, receipt)
            # First, before what the event names (a contract, a sanction) is looked at.
            assert receipt["errors"][0] == {
                "field": field,
                "message": SAID,
                "code": "unknown_vendor",
            }, event_type
    assert await logged(pool) == before
    # The registry's own verdict stands, for events that come past any receipt (`publish`).
    for event_type in ("contract.awarded", "sanction.imposed", "certificate.submitted"):
        assert await rejection(pool, of_ghost(event_type)) == f"vendor_id: {SAID}"


async def test_a_vendor_whose_registration_the_log_holds_is_known_before_it_is_applied(
    pool: asyncpg.Pool,
) -> None:
    # Registered through the API a moment before: logged, not yet applied (no registry runs).
    assert await typed(pool, case_b.another_vendor(GHOST)) == ACCEPTED
    assert not await pool.fetchval("SELECT count(*) FROM registry_vendors")
    awarded, imposed = of_ghost("contract.awarded"), of_ghost("sanction.imposed")
    assert await typed(pool, awarded) == ACCEPTED
    assert await submitted(pool, imposed) == ACCEPTED
    for event_type in sorted(OF_REGISTERED_VENDORS):
        # Refused for what they name, maybe (another vendor's affiliate), never as unknown.
        assert ("vendorId", "unknown_vendor") not in codes(await typed(pool, of_ghost(event_type)))
    # The registry applies the registration first, then the award and the imposition.
    await drain(pool, REGISTRY)
    refused = await pool.fetch(
        "SELECT event_id FROM dead_letters WHERE event_id = ANY($1::uuid[])",
        [awarded["event_id"], imposed["event_id"]],
    )
    assert refused == []


async def test_a_known_vendor_costs_the_receipt_one_keyed_row_and_an_unknown_one_probe_more(
    counted: tuple[asyncpg.Pool, list[str]],
) -> None:
    pool, statements = counted
    await typed(pool, case_b.registered())
    await drain(pool, REGISTRY)

    def probes() -> int:
        return sum("vendor.registered" in s and "event_store" in s for s in statements)

    statements.clear()
    assert await typed(pool, envelope("contract.awarded", example("contract.awarded"))) == ACCEPTED
    assert probes() == 0
    statements.clear()
    assert not (await typed(pool, of_ghost("contract.awarded")))["accepted"]
    assert probes() == 1
