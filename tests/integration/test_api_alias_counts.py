"""A vendor is given at most 100 aliases through the API, by its typed mutations and
`submitEvent` alike (real PostgreSQL): every alias is a name each screening by name scores
each bidder against, and one barred vendor given 30,000 slowed a 1,000-bidder screen from
0.29 s to 3.5 s. An event stored before with more is read and applied as before."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.record_receipts import logged, submitted, typed
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

REFUSED = {
    "accepted": False,
    "errors": [
        {
            "field": "payload.aliases",
            "message": "at most 100 aliases may be given; 101 were",
            "code": "too_long",
        }
    ],
}


def _aliases(count: int) -> list[str]:
    return [f"Trade name {n}" for n in range(count)]


def _registered(vendor_id: str, count: int) -> dict[str, Any]:
    return envelope(
        "vendor.registered", {"legal_name": "Alias Co", "aliases": _aliases(count)}, vendor_id
    )


async def test_more_than_100_aliases_are_refused_at_the_receipt(pool: asyncpg.Pool) -> None:
    too_many = _registered("alias-many", 101)
    assert await typed(pool, too_many) == REFUSED
    assert await submitted(pool, too_many) == REFUSED
    await apply(pool, _registered("alias-kept", 1))
    update = envelope("vendor.updated", {"aliases": _aliases(101)}, "alias-kept")
    assert await typed(pool, update) == REFUSED
    assert await submitted(pool, update) == REFUSED
    assert await logged(pool) == 0  # (the registration was applied, not logged)
    assert await typed(pool, _registered("alias-100", 100)) == {"accepted": True, "errors": []}


async def test_a_vendor_stored_before_with_more_is_still_applied(pool: asyncpg.Pool) -> None:
    await apply(pool, _registered("alias-old", 300))
    answer = await execute(pool, '{ vendor(vendorId: "alias-old") { aliases } }')
    assert len(answer["vendor"]["aliases"]) == 300
