"""A vendor's name history through the API (real PostgreSQL, the embedded log, the registry
applying it): renames are recorded in the order they took effect, each changing something,
and a name an update replaces keeps matching in screening and search, as a rename's does.
Found by exploratory testing: a rename recorded after another but effective before it made
the earlier name current and listed the later one as used until before it was adopted; the
current name given again was recorded; and an update of a barred vendor's legal name
dropped the old name from `screenBidders` and `vendors(search:)`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import pytest

from services.cli import rebuilding
from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import EmbeddedEventLog, drain
from services.platform.eventstore import later_rules
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from tests.support import case_b
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.record_receipts import logged, submitted, typed
from tests.support.registry import REGISTRY
from tests.support.registry_db import apply, rejection
from tests.support.rule_instants import DAY, FAR, PAST, REGISTRY_VERDICTS

pytestmark = pytest.mark.postgres

VENDOR = "ch-3"
ORIGINAL = "Chiba Third Original K.K."
NEW = "Totally New Name Corp"
ACCEPTED = {"accepted": True, "errors": []}
BACKDATED = (
    f"2024-01-01 is before vendor 'ch-3' was last renamed, to '{NEW}' from 2024-05-01;"
    " renames are recorded in the order they took effect (a name used in between may be"
    " added as an alias, which keeps it matching)"
)
UNCHANGED = (
    f"vendor 'ch-3' has these names already (legal name '{NEW}'); the rename would change nothing"
)
NAMES = "query ($id: ID!) { vendor(vendorId: $id) { legalName formerNames { name usedUntil } } }"
SCREEN = """query ($name: String!) {
  screenBidders(bidders: [{ref: "c", name: $name}], asOf: "2023-03-01") {
    status candidates { vendorId matchedName matchedKind } } }"""
SEARCH = "query ($s: String!) { vendors(search: $s) { vendorId matchedName matchedKind } }"
READINGS = """query ($id: ID!) {
  vendor(vendorId: $id) { legalName nameKana nameEn formerNames { name usedUntil } } }"""
OLD_KANA = "チバサードオリジナル"


def renamed(name: str, on: str, vendor_id: str = VENDOR) -> dict[str, Any]:
    return envelope("vendor.renamed", {"new_legal_name": name, "effective_on": on}, vendor_id)


def registered_with_readings(vendor_id: str = VENDOR) -> dict[str, Any]:
    """A vendor registered under ORIGINAL with its kana reading and English name."""
    names = {"legal_name": ORIGINAL, "name_kana": OLD_KANA, "name_en": "Chiba Third"}
    return envelope("vendor.registered", names, vendor_id)


def refused(field: str, message: str, code: str) -> dict[str, Any]:
    return {"accepted": False, "errors": [{"field": field, "message": message, "code": code}]}


async def recorded(pool: asyncpg.Pool, *events: dict[str, Any]) -> None:
    """Each sent through the API and accepted, then applied by the registry."""
    for event in events:
        assert await typed(pool, event) == ACCEPTED
    await drain(pool, REGISTRY)


async def registered_and_barred(pool: asyncpg.Pool) -> None:
    """ch-3, suspended from 2022-07-09 for 18 months, as the log records them."""
    registration = envelope("vendor.registered", {"legal_name": ORIGINAL}, VENDOR)
    for event in (registration, case_b.suspended(VENDOR)):
        assert (await submitted(pool, event))["accepted"]
    await drain(pool, REGISTRY)


async def names(pool: asyncpg.Pool) -> dict[str, Any]:
    found: dict[str, Any] = (await execute(pool, NAMES, id=VENDOR))["vendor"]
    return found


async def test_renames_are_recorded_in_the_order_they_took_effect(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", FAR)  # the receipt: whenever asked
    await registered_and_barred(pool)
    await recorded(pool, renamed(NEW, "2024-05-01"))
    before = await logged(pool)
    # The current name again, and a rename effective before the last one: refused, unlogged.
    again, backdated = renamed(NEW, "2024-05-02"), renamed("Third Name", "2024-01-01")
    assert await typed(pool, again) == refused("payload", UNCHANGED, "no_change")
    expected = refused("payload.effectiveOn", BACKDATED, "before_last_rename")
    assert await typed(pool, backdated) == expected
    assert await logged(pool) == before
    assert await names(pool) == {
        "legalName": NEW,
        "formerNames": [{"name": ORIGINAL, "usedUntil": "2024-04-30"}],
    }
    # The registry, of renames recorded from the rule on, in the same words.
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", PAST)
    assert await rejection(pool, again) == f"payload: {UNCHANGED}"
    assert await rejection(pool, backdated) == f"payload.effective_on: {BACKDATED}"
    # On the last rename's day: a correction of it, taken; the name it replaces is kept.
    await recorded(pool, renamed("Totally New Name Corporation", "2024-05-01"))
    assert await names(pool) == {
        "legalName": "Totally New Name Corporation",
        "formerNames": [
            {"name": ORIGINAL, "usedUntil": "2024-04-30"},
            {"name": NEW, "usedUntil": "2024-04-30"},
        ],
    }


async def test_a_backdated_rename_recorded_before_the_rule_keeps_its_verdict(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recorded before the rule's instant, the registry applies it as it did (a rebuild gives
    the verdict live processing gave); the latest rename by its day stays the later one."""
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", FAR)
    await apply(pool, envelope("vendor.registered", {"legal_name": ORIGINAL}, VENDOR))
    await apply(pool, renamed(NEW, "2024-05-01"), renamed("Third Name", "2024-01-01"))
    assert (await names(pool))["legalName"] == "Third Name"
    between = renamed("Fourth Name", "2024-03-01")
    assert await typed(pool, between) == refused(
        "payload.effectiveOn",
        BACKDATED.replace("2024-01-01", "2024-03-01"),
        "before_last_rename",
    )


async def test_a_name_an_update_replaces_keeps_matching(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ch-3 is barred on 2023-03-01: its legal name changed by an update must not take it
    out of screening by the name it had."""
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", PAST)
    await registered_and_barred(pool)
    await recorded(pool, renamed(NEW, "2023-01-01"))
    update = envelope("vendor.updated", {"legal_name": "Updated via update"}, VENDOR)
    await recorded(pool, update)
    assert await names(pool) == {
        "legalName": "Updated via update",
        "formerNames": [
            {"name": ORIGINAL, "usedUntil": "2022-12-31"},
            {"name": NEW, "usedUntil": None},  # the update gives no day
        ],
    }
    for name in (NEW, ORIGINAL):
        (answer,) = (await execute(pool, SCREEN, name=name))["screenBidders"]
        assert answer == {
            "status": "POSSIBLE_MATCH",
            "candidates": [{"vendorId": VENDOR, "matchedName": name, "matchedKind": "FORMER"}],
        }
        hits = (await execute(pool, SEARCH, s=name))["vendors"]
        assert hits[0] == {"vendorId": VENDOR, "matchedName": name, "matchedKind": "FORMER"}


async def test_a_rebuild_keeps_the_verdicts_given_either_side_of_the_rule(
    pool: asyncpg.Pool, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backdated rename recorded before the rule stays applied, one after it refused; and
    the rebuilt registry keeps the names an update replaced as the live one did."""
    settings = Settings(database_url=database_url)
    log = EmbeddedEventLog(pool, ingest_batch)
    registry = registry_setup.consumer(settings, registry_setup.policies(settings))
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", dt.datetime.now(dt.UTC) + DAY)
    registration = envelope("vendor.registered", {"legal_name": ORIGINAL}, VENDOR)
    before = renamed("Third Name", "2024-01-01")
    update = envelope("vendor.updated", {"legal_name": "Updated via update"}, VENDOR)
    for event in (registration, renamed(NEW, "2024-05-01"), before, update):
        await log.submit([case_b.line(event)])
    await drain(pool, registry)
    recorded = await pool.fetchval("SELECT max(recorded_at) FROM event_store")
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", recorded + dt.timedelta(microseconds=1))
    after = renamed("Fourth Name", "2024-02-01")
    await log.submit([case_b.line(after)])
    await drain(pool, registry)
    live = {str(r["event_id"]): r["refused"] for r in await pool.fetch(REGISTRY_VERDICTS)}
    assert (live[before["event_id"]], live[after["event_id"]]) == (False, True)
    vendor = await names(pool)
    assert {"name": "Third Name", "usedUntil": None} in vendor["formerNames"]

    await rebuilding.rebuild(settings, ["registry"], force=True)
    assert {str(r["event_id"]): r["refused"] for r in await pool.fetch(REGISTRY_VERDICTS)} == live
    assert await names(pool) == vendor


async def test_a_rename_without_a_reading_leaves_the_old_name_s_reading_to_the_old_name(
    pool: asyncpg.Pool, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ch-3 registered with a kana reading and an English name, renamed without either from
    the rule's instant on: the new name has no reading or English name of its own (it kept
    the old name's as current, an exploratory tester's finding); the old ones are former
    names, used until the day before the rename, and still find ch-3 in screening and
    search. A rebuilt registry holds the same."""
    monkeypatch.setattr(later_rules, "FIFTH_RULES_FROM", PAST)
    assert (await submitted(pool, registered_with_readings()))["accepted"]
    assert (await submitted(pool, case_b.suspended(VENDOR)))["accepted"]
    await drain(pool, REGISTRY)
    await recorded(pool, renamed(NEW, "2023-01-01"))
    vendor = (await execute(pool, READINGS, id=VENDOR))["vendor"]
    assert vendor == {
        "legalName": NEW,
        "nameKana": None,
        "nameEn": None,
        "formerNames": [
            {"name": "Chiba Third", "usedUntil": "2022-12-31"},
            {"name": ORIGINAL, "usedUntil": "2022-12-31"},
            {"name": OLD_KANA, "usedUntil": "2022-12-31"},
        ],
    }
    (answer,) = (await execute(pool, SCREEN, name=OLD_KANA))["screenBidders"]
    assert answer["candidates"] == [
        {"vendorId": VENDOR, "matchedName": OLD_KANA, "matchedKind": "FORMER"}
    ]
    hits = (await execute(pool, SEARCH, s=OLD_KANA))["vendors"]
    assert hits[0] == {"vendorId": VENDOR, "matchedName": OLD_KANA, "matchedKind": "FORMER"}

    await rebuilding.rebuild(Settings(database_url=database_url), ["registry"], force=True)
    assert (await execute(pool, READINGS, id=VENDOR))["vendor"] == vendor


async def test_a_rename_recorded_before_the_rule_keeps_its_reading_in_a_rebuild_too(
    pool: asyncpg.Pool, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same rename of two vendors with readings, ch-3's recorded before the rule's
    instant and ch-4's after it: ch-3 keeps its reading and English name as current, as the
    registry gave renames before the rule, ch-4's are former names; a rebuilt registry gives
    each what live processing gave it (it had cleared ch-3's too, unlike the live one)."""
    settings = Settings(database_url=database_url)
    log = EmbeddedEventLog(pool, ingest_batch)
    registry = registry_setup.consumer(settings, registry_setup.policies(settings))
    monkeypatch.setattr(later_rules, "FIFTH_RULES_FROM", dt.datetime.now(dt.UTC) + DAY)
    older, newer = VENDOR, "ch-4"
    for event in (registered_with_readings(older), registered_with_readings(newer)):
        await log.submit([case_b.line(event)])
    await log.submit([case_b.line(renamed(NEW, "2023-01-01", older))])
    await drain(pool, registry)
    recorded = await pool.fetchval("SELECT max(recorded_at) FROM event_store")
    monkeypatch.setattr(later_rules, "FIFTH_RULES_FROM", recorded + dt.timedelta(microseconds=1))
    await log.submit([case_b.line(renamed(NEW, "2023-01-01", newer))])
    await drain(pool, registry)
    live = {v: (await execute(pool, READINGS, id=v))["vendor"] for v in (older, newer)}
    assert live[older] == {
        "legalName": NEW,
        "nameKana": OLD_KANA,
        "nameEn": "Chiba Third",
        "formerNames": [{"name": ORIGINAL, "usedUntil": "2022-12-31"}],
    }
    assert (live[newer]["nameKana"], live[newer]["nameEn"]) == (None, None)
    assert {"name": OLD_KANA, "usedUntil": "2022-12-31"} in live[newer]["formerNames"]

    await rebuilding.rebuild(settings, ["registry"], force=True)
    for vendor_id in (older, newer):
        assert (await execute(pool, READINGS, id=vendor_id))["vendor"] == live[vendor_id]
