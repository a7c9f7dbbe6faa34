"""A vendor lists at most 100 former names through the API, by its typed mutations and
`submitEvent` alike (real PostgreSQL, the embedded log, the registry applying it): every
former name is a name each screening by name scores each bidder against, and one barred
vendor renamed 3,000 times in a day slowed a 1,000-bidder screen from 0.23 s to 47 s. A
rename that lists no new one (a name given back on a day it is listed with) is taken; the
registry still applies a stored event past the limit, as it was."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.platform.eventlog.embedded import drain
from services.platform.eventstore import later_rules
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.record_receipts import logged, submitted, typed
from tests.support.registry import REGISTRY
from tests.support.registry_db import apply
from tests.support.rule_instants import PAST

pytestmark = pytest.mark.postgres

VENDOR = "fn-1"
DAY = "2022-01-01"
ACCEPTED = {"accepted": True, "errors": []}


def renamed(name: str, on: str = DAY) -> dict[str, Any]:
    return envelope("vendor.renamed", {"new_legal_name": name, "effective_on": on}, VENDOR)


def updated(**changes: Any) -> dict[str, Any]:
    return envelope("vendor.updated", changes, VENDOR)


def refused(field: str, what: str, more: int) -> dict[str, Any]:
    message = (
        f"vendor 'fn-1' lists 100 former names and this {what} would list {more} more; a vendor"
        " keeps at most 100, as each is matched in every screening by name"
    )
    return {
        "accepted": False,
        "errors": [{"field": field, "message": message, "code": "too_many_former_names"}],
    }


async def former_names(pool: asyncpg.Pool) -> int:
    query = '{ vendor(vendorId: "fn-1") { formerNames { name } } }'
    return len((await execute(pool, query))["vendor"]["formerNames"])


async def test_a_vendor_lists_at_most_100_former_names(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(later_rules, "FIFTH_RULES_FROM", PAST)  # a rename clears the old name's
    registration = {"legal_name": "Original K.K.", "name_en": "Original"}
    await apply(pool, envelope("vendor.registered", registration, VENDOR))
    # 98 renames in a day (each a correction of the one before): 99 names listed, the first
    # its English name with its legal name.
    await apply(pool, *(renamed(f"Name {n}") for n in range(98)))
    assert await former_names(pool) == 99
    # The 100th, then one giving back a name listed with that day: nothing more listed; an
    # update giving a name where there was none replaces nothing.
    for event in (renamed("Name 96"), renamed("Name 97"), updated(name_en="Name")):
        assert await typed(pool, event) == ACCEPTED
        await drain(pool, REGISTRY)
    assert await former_names(pool) == 100
    before = await logged(pool)

    later = renamed("Fresh Name", "2022-02-01")
    assert await typed(pool, later) == refused("payload.newLegalName", "rename", 2)
    assert await submitted(pool, later) == refused("payload.new_legal_name", "rename", 2)
    update = updated(legal_name="Fresh Name")
    assert await typed(pool, update) == refused("payload.legalName", "update", 1)
    assert await typed(pool, updated(clear=["name_en"])) == refused("payload.clear", "update", 1)
    assert await logged(pool) == before
    # An update replacing no name is not counted.
    assert await typed(pool, updated(aliases=["Fresh Trading"])) == ACCEPTED

    # A stored event past the limit (a log recorded before it) is applied as it was.
    await apply(pool, later)
    assert await former_names(pool) == 102
