"""Upgrades of the records of vendors and contracts on a real PostgreSQL: contracts migration
learnt before categories, the registry's contracts amended before their terms' dates were
kept, vendors renamed before their latest rename was kept, each given what the code now
derives from the log."""

from __future__ import annotations

import datetime as dt

import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.eventstore import event_store
from tests.support import case_b
from tests.support.event_examples import envelope, example
from tests.support.upgrades import judged, migrated_but, new_database

pytestmark = pytest.mark.postgres


async def test_contracts_learnt_before_categories_get_the_category_of_their_award(
    postgres_admin_url: str,
) -> None:
    """Migration's 0003 gives each contract it knew the category of the award it applied (not
    of one the registry refused), so a sanction of some categories moves the right ones."""
    award = example("contract.awarded")

    def awarded(contract_id: str, category: str) -> EventEnvelope:
        payload = award | {"contract_id": contract_id, "category": category}
        return parse_event(case_b.line(envelope("contract.awarded", payload, "vendor-b")))

    applied, refused = awarded("c-1", "Construction"), awarded("c-1", "Cleaning")
    # Two awards applied under one id, to two vendors: the row's vendor's gives the category;
    # an earlier award of the vendor's is superseded by its later one.
    earlier, elsewhere = awarded("c-2", "Cleaning"), awarded("c-2", "Security")
    later = awarded("c-2", "Catering")
    elsewhere = elsewhere.model_copy(update={"vendor_id": "vendor-x"})
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.migration", 3)
        await event_store.append_batch(conn, [applied, refused, earlier, later, elsewhere])
        await judged(
            conn,
            "migration",
            [applied, refused, earlier, later, elsewhere],
            [False, True, False, False, False],
        )
        await conn.execute(
            """INSERT INTO migration_contracts
                   (contract_id, vendor_id, agency, title, criticality, ends_on)
               VALUES ('c-1', 'vendor-b', 'City', 'Works', 'internal', '2030-01-01'),
                      ('c-2', 'vendor-b', 'City', 'Meals', 'internal', '2030-01-01'),
                      ('c-unheard', 'vendor-b', 'City', 'Other', 'internal', '2030-01-01')"""
        )
        await conn.execute(upgrade.sql)
        rows = await conn.fetch("SELECT contract_id, category FROM migration_contracts")
    assert {r["contract_id"]: r["category"] for r in rows} == {
        "c-1": "Construction",
        "c-2": "Catering",
        "c-unheard": None,
    }


async def test_contracts_amended_before_the_upgrade_know_when_their_terms_were_stated(
    postgres_admin_url: str,
) -> None:
    """The registry's 0010 gives each contract the time of its last amendment the registry
    applied, in log order (a refused one does not count), and none to a contract never
    amended: an OCDS import then amends it only to a file stated later."""

    def amended(on: str, contract_id: str = "c-1") -> EventEnvelope:
        payload = example("contract.amended") | {"contract_id": contract_id}
        event = parse_event(case_b.line(envelope("contract.amended", payload, "vendor-b")))
        return event.model_copy(update={"occurred_at": dt.datetime.fromisoformat(on)})

    # Logged after June's, May's amendment is the last applied; July's was refused.
    june, may, refused = (
        amended("2024-06-01T00:00Z"),
        amended("2024-05-01T00:00Z"),
        amended("2024-07-01T00:00Z"),
    )
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.registry", 10)
        await event_store.append_batch(conn, [june, may, refused])
        await judged(conn, "registry", [june, may, refused], [False, False, True])
        await conn.execute("SET session_replication_role = replica")  # no vendor rows needed
        await conn.execute(
            """INSERT INTO registry_contracts
                   (contract_id, vendor_id, agency, title, category, criticality, awarded_on,
                    starts_on, ends_on, amount, currency, event_id, recorded_at)
               SELECT id, 'vendor-b', 'City', 'Works', 'Construction', 'internal',
                      '2024-04-01', '2024-04-01', '2025-03-31', 1000, 'JPY', gen_random_uuid(),
                      now()
               FROM unnest(ARRAY['c-1', 'c-2']) AS id"""
        )
        await conn.execute(upgrade.sql)
        rows = await conn.fetch("SELECT contract_id, terms_amended_at FROM registry_contracts")
    assert {r["contract_id"]: r["terms_amended_at"] for r in rows} == {
        "c-1": dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
        "c-2": None,
    }


async def test_vendors_renamed_before_the_upgrade_know_their_latest_rename(
    postgres_admin_url: str,
) -> None:
    """The registry's 0021 gives each vendor the rename it applied that took effect last
    (recorded later, an earlier one does not count, nor one it refused), and none to a
    vendor never renamed: a rename effective before it is then refused, naming it."""

    def renamed(name: str, on: str) -> EventEnvelope:
        payload = {"new_legal_name": name, "effective_on": on}
        return parse_event(case_b.line(envelope("vendor.renamed", payload, "vendor-b")))

    may, january, refused = (
        renamed("May K.K.", "2024-05-01"),
        renamed("January K.K.", "2024-01-01"),
        renamed("July K.K.", "2024-07-01"),
    )
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.registry", 21)
        await event_store.append_batch(conn, [may, january, refused])
        await judged(conn, "registry", [may, january, refused], [False, False, True])
        await conn.execute(
            "INSERT INTO registry_vendors (vendor_id, legal_name, event_id, recorded_at)"
            " SELECT id, 'January K.K.', gen_random_uuid(), now()"
            " FROM unnest(ARRAY['vendor-b', 'vendor-c']) AS id"
        )
        await conn.execute(upgrade.sql)
        rows = await conn.fetch("SELECT vendor_id, renamed_on, renamed_to FROM registry_vendors")
    assert {r["vendor_id"]: (r["renamed_on"], r["renamed_to"]) for r in rows} == {
        "vendor-b": (dt.date(2024, 5, 1), "May K.K."),
        "vendor-c": (None, None),
    }
