"""Schema migrations: applied once, in order, and edited history is refused."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.events.alerts import watchlist_id, watchlist_key
from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.eventstore import chain, event_store, order_seals
from services.platform.eventstore.event_store import canonical_json, content_hash
from services.platform.postgres import migrations
from services.platform.postgres.migrations import Migration, MigrationDrift, apply_migrations
from services.registry.storage import import_candidates
from tests.support import case_b
from tests.support.event_examples import envelope, example
from tests.support.postgres import with_database

pytestmark = pytest.mark.postgres


@contextlib.asynccontextmanager
async def new_database(admin_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to a database of its own, empty, dropped afterwards."""
    name = f"vw_upgrade_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        conn = await asyncpg.connect(with_database(admin_url, name))
        try:
            yield conn
        finally:
            await conn.close()
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


async def migrated_but(conn: asyncpg.Connection, package: str, version: int) -> Migration:
    """Applies every migration but that one, which it returns (a database from before it)."""
    left_out = None
    for each in migrations.MIGRATION_PACKAGES:
        for migration in migrations.load_migrations(each):
            if (each, migration.version) == (package, version):
                left_out = migration
            else:
                await conn.execute(migration.sql)
    assert left_out is not None, (package, version)
    return left_out


async def applied(conn: asyncpg.Connection, migration: Migration) -> None:
    """Runs `migration` as `apply_migrations` does, holding the migrations' lock: under it
    the registry's 0012 may write the claims' order unsealed, for its 0019 to seal (platform
    0012 refuses such rows from any other writer)."""
    await conn.execute("SELECT pg_advisory_lock($1)", migrations.LOCK_KEY)
    try:
        await conn.execute(migration.sql)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", migrations.LOCK_KEY)


@contextlib.asynccontextmanager
async def written_unsealed(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """Rows of the recorded orders written without seals, as the releases before the seals
    wrote them: the guards refusing such rows since (platform 0013, risk 0014, which
    `migrated_but` applies too) off meanwhile, as they were not there then."""
    guarded = {"claim_order": "claim_order_sealed", "risk_events": "risk_events_sealed"}
    for table, trigger in guarded.items():
        await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    try:
        yield
    finally:
        for table, trigger in guarded.items():
            await conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


async def test_migrations_are_recorded_and_not_applied_twice(pool: asyncpg.Pool) -> None:
    assert await apply_migrations(pool) == []  # the test database is migrated already
    recorded = await pool.fetch("SELECT package, version FROM schema_migrations")
    expected = {
        (package, m.version)
        for package in migrations.MIGRATION_PACKAGES
        for m in migrations.load_migrations(package)
    }
    assert {(r["package"], r["version"]) for r in recorded} == expected
    assert ("services.platform", 1) in expected and ("services.registry", 1) in expected


async def test_an_applied_migration_that_changed_is_refused(pool: asyncpg.Pool) -> None:
    await pool.execute(
        "UPDATE schema_migrations SET checksum = 'edited' WHERE package = 'services.registry'"
    )
    with pytest.raises(MigrationDrift, match="was changed after it was applied"):
        await apply_migrations(pool)


async def test_a_store_from_before_the_chain_is_chained_as_the_code_chains(
    postgres_admin_url: str,
) -> None:
    """0003 chains existing events in SQL; its partition and link must equal chain.py's, or
    `verify` would call an intact upgraded store broken."""
    async with new_database(postgres_admin_url) as conn:
        platform = migrations.load_migrations("services.platform")
        for migration in platform[:2]:
            await conn.execute(migration.sql)
        events = [parse_event(case_b.line(case_b.another_vendor(f"v-{i}"))) for i in range(20)]
        await conn.executemany(
            """INSERT INTO event_store
                   (event_id, event_type, vendor_id, occurred_at, envelope, content_hash)
               VALUES ($1, $2, $3, $4, $5::jsonb, $6)""",
            [
                (
                    e.event_id,
                    e.event_type,
                    e.vendor_id,
                    e.occurred_at,
                    canonical_json(e),
                    content_hash(e),
                )
                for e in events
            ],
        )
        await conn.execute(platform[2].sql)
        rows = await conn.fetch(
            "SELECT vendor_id, partition, seq, content_hash, chain_hash FROM event_store"
            " ORDER BY position"
        )
    links: dict[int, tuple[int, str]] = {}
    for row in rows:
        partition = chain.partition_of(row["vendor_id"])
        seq, previous = links.get(partition, (0, chain.GENESIS))
        link = chain.link_v1(partition, seq + 1, previous, row["content_hash"])
        assert (row["partition"], row["seq"], row["chain_hash"]) == (partition, seq + 1, link)
        links[partition] = (seq + 1, link)
    assert len(links) > 1  # the events spread over several partitions


async def test_a_watchlist_saved_before_ids_existed_gets_the_id_the_code_gives_it(
    postgres_admin_url: str,
) -> None:
    """Alerts' 0002 takes a saved list's id from the key of the event that saved it; it must
    be the id `watchlist_id` gives the list now, or `node(id:)` would not find it."""
    agency, list_name = "市民課", "bidders 2022/07 — resident records"
    payload = {"agency": agency, "name": list_name, "vendor_ids": ["b"]}
    saved = parse_event(
        case_b.line(envelope("watchlist.saved", payload, watchlist_key(agency, list_name)))
    )
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.alerts", 2)
        await event_store.append_batch(conn, [saved])
        await conn.execute(
            """INSERT INTO alert_watchlists (agency, name, vendor_ids, saved_at, event_id)
               VALUES ($1, $2, '{b}', now(), $3)""",
            agency,
            list_name,
            saved.event_id,
        )
        await conn.execute(upgrade.sql)
        stored = await conn.fetchval("SELECT watchlist_id FROM alert_watchlists")
    assert stored == watchlist_id(agency, list_name)


async def test_a_report_stored_before_listings_existed_keeps_its_candidates(
    postgres_admin_url: str,
) -> None:
    """Registry's 0007 gives `ImportReport.candidates` the reports stored before it: each
    report's own candidates, in its order."""
    review = example("import.reported")["review"]
    review = [review[0] | {"line": 7, "name": "C SYSTEM LTD"}, review[0]]
    payload = example("import.reported", review=review, review_count=2)
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.registry", 7)
        await conn.execute(
            """INSERT INTO registry_import_reports
                   (event_id, source, file_name, file_sha256, started_at, finished_at, report)
               VALUES ($1, 'worldbank', 'wb.csv', $2, now(), now(), $3::jsonb)""",
            uuid.UUID(int=7),
            payload["file_sha256"],
            json.dumps(payload),
        )
        await conn.execute(upgrade.sql)
        stored = await import_candidates.page(conn, [uuid.UUID(int=7)], 10, None)
    assert [(s.position, s.candidate.model_dump()) for s in stored[uuid.UUID(int=7)]] == list(
        enumerate(review)
    )


async def test_risks_envelope_copies_are_dropped_only_when_the_store_holds_every_event(
    postgres_admin_url: str,
) -> None:
    """Risk's 0009 drops its copies of the envelopes, to read the store's: it refuses while
    risk recorded an event the store lacks (its envelope would be lost), then keeps every
    event risk records from then on to those the store holds."""
    stored, lacking = (
        parse_event(case_b.line(envelope(t, example(t)))) for t in ("incident.reported",) * 2
    )
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.risk", 9)
        await event_store.append_batch(conn, [stored])
        async with written_unsealed(conn):
            for event in (stored, lacking):
                await conn.execute(
                    "INSERT INTO risk_events (event_id, envelope) VALUES ($1, $2)",
                    event.event_id,
                    canonical_json(event),
                )
        with pytest.raises(asyncpg.ForeignKeyViolationError) as refused:
            await conn.execute(upgrade.sql)
        assert refused.value.detail is not None and str(lacking.event_id) in refused.value.detail
        assert await conn.fetchval("SELECT count(envelope) FROM risk_events") == 2
        await event_store.append_batch(conn, [lacking])
        await conn.execute(upgrade.sql)
        columns = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'risk_events'"
        )
        # The copy gone (the seal of risk's 0013, applied already here, stays).
        assert {c["column_name"] for c in columns} == {"seq", "event_id", "seal"}
        with pytest.raises(asyncpg.ForeignKeyViolationError):
            await conn.execute(
                "INSERT INTO risk_events (event_id, seal) VALUES ($1, $2)",
                uuid.uuid4(),
                order_seals.GENESIS,
            )


async def test_forwarding_heads_start_before_the_first_event_never_forwarded(
    postgres_admin_url: str,
) -> None:
    """Ingest's 0002 turns the set of forwarded ids into a head per partition: a partition
    goes on from its first event a crash left unforwarded, or from its end when none was."""
    crashed, forwarded = "vendor-crashed", "vendor-forwarded"
    assert chain.partition_of(crashed) != chain.partition_of(forwarded)
    events = {
        vendor: [
            parse_event(case_b.line(envelope("vendor.renamed", example("vendor.renamed"), vendor)))
            for _ in range(4)
        ]
        for vendor in (crashed, forwarded)
    }
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.ingest", 2)
        for stored in events.values():
            await event_store.append_batch(conn, stored)
        # The crashed vendor's third event was stored and never sent.
        sent = [e.event_id for e in events[forwarded]] + [
            events[crashed][n].event_id for n in (0, 1, 3)
        ]
        await conn.execute(
            "INSERT INTO ingest_forwarded (event_id) SELECT unnest($1::uuid[])", sent
        )
        await conn.execute(upgrade.sql)
        rows = await conn.fetch("SELECT partition, forwarded_seq FROM ingest_forward_heads")
    heads = {r["partition"]: r["forwarded_seq"] for r in rows}
    assert heads == {p: 0 for p in range(chain.PARTITIONS)} | {
        chain.partition_of(crashed): 2,
        chain.partition_of(forwarded): 4,
    }


async def test_a_store_that_only_ran_embedded_forwards_what_its_consumers_had_not_applied(
    postgres_admin_url: str,
) -> None:
    """Nothing was ever forwarded: each partition goes on from where the embedded consumers all
    got to, so what they applied is not sent again as news, and what they had not is sent."""
    vendor = "vendor-embedded"
    events = [
        parse_event(case_b.line(envelope("vendor.renamed", example("vendor.renamed"), vendor)))
        for _ in range(4)
    ]
    partition = chain.partition_of(vendor)
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.ingest", 2)
        await event_store.append_batch(conn, events)
        for consumer, seq in (("registry", 4), ("risk", 3)):
            await conn.execute(
                "INSERT INTO consumer_offsets (consumer, partition, seq)"
                " SELECT $1, p, CASE WHEN p = $2 THEN $3 ELSE 0 END"
                " FROM generate_series(0, 5) AS p",
                consumer,
                partition,
                seq,
            )
        await conn.execute(upgrade.sql)
        rows = await conn.fetch("SELECT partition, forwarded_seq FROM ingest_forward_heads")
    heads = {r["partition"]: r["forwarded_seq"] for r in rows}
    assert heads == {p: 0 for p in range(chain.PARTITIONS)} | {partition: 3}


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
        await _judged(
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
        await _judged(conn, "registry", [june, may, refused], [False, False, True])
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


async def test_what_the_registry_judged_before_the_upgrade_is_ordered_by_its_batches(
    postgres_admin_url: str,
) -> None:
    """The registry's 0012 records the order of the events it judged before there was a
    record: batch by batch as they were claimed (a later batch may hold events of lower
    positions, appended by a transaction that committed later), within a batch in position
    order, whatever order the rows were written in; other consumers' claims are not its."""
    events = [
        parse_event(case_b.line(case_b.another_vendor(f"vendor-upgrade-{n}"))) for n in range(4)
    ]
    # Two batches: the first claimed the last two events, the second the first two.
    batches = {"2024-05-01T00:00Z": [3, 2], "2024-05-02T00:00Z": [1, 0]}
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.registry", 12)
        await event_store.append_batch(conn, events)
        for at, claimed in batches.items():
            for consumer in ("registry", "risk"):
                await conn.execute(
                    "INSERT INTO processed_events (consumer, event_id, processed_at)"
                    " SELECT $1, unnest($2::uuid[]), $3",
                    consumer,
                    [events[n].event_id for n in claimed],
                    dt.datetime.fromisoformat(at),
                )
        await applied(conn, upgrade)
        rows = await conn.fetch("SELECT consumer, event_id FROM claim_order ORDER BY seq")
    assert [tuple(r) for r in rows] == [("registry", events[n].event_id) for n in (2, 3, 0, 1)]


async def test_the_order_judged_before_the_seals_is_sealed_as_it_stood(
    postgres_admin_url: str,
) -> None:
    """A store upgrading across the registry's 0012 and the seals at once: the platform's
    0009 ran before 0012 numbered the rows, so the registry's 0019 seals them, one block per
    partition after its head, as order_seals.py walks them (and the claims write them). The
    platform's 0013, run before both too, lets the migrations write those rows unsealed."""
    events = [
        parse_event(case_b.line(case_b.another_vendor(f"vendor-sealed-{n}"))) for n in range(8)
    ]
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.registry", 12)
        await event_store.append_batch(conn, events)
        await conn.execute(
            "INSERT INTO processed_events (consumer, event_id)"
            " SELECT 'registry', unnest($1::uuid[])",
            [e.event_id for e in events],
        )
        await applied(conn, upgrade)
        sealing = next(
            m for m in migrations.load_migrations("services.registry") if m.version == 19
        )
        await applied(conn, sealing)
        rows, walks, _ = await _walked(conn, "claim_order", "registry")
    assert rows == 8 and len(walks) > 1
    for walk in walks:
        assert walk.problem is None and walk.seq > 0, walk


async def _judged(
    conn: asyncpg.Connection, consumer: str, events: list[EventEnvelope], refused: list[bool]
) -> None:
    """`consumer`'s ledger rows for `events`, each applied or refused, as it wrote them."""
    await conn.execute(
        "INSERT INTO processed_events (consumer, event_id, refused)"
        " SELECT $1, unnest($2::uuid[]), unnest($3::boolean[])",
        consumer,
        [e.event_id for e in events],
        refused,
    )


async def _walked(
    conn: asyncpg.Connection, table: str, consumer: str
) -> tuple[int, list[order_seals.OrderWalk], dict[int, tuple[int, str]]]:
    """The recorded order in `table` walked per partition against its seals and `consumer`'s
    heads, as `verify` walks it: the rows walked, each partition's walk, and the heads."""
    rows = await conn.fetch(
        f"""SELECT s.partition, o.seq, o.event_id::text AS event_id, o.seal
            FROM {table} o JOIN event_store s USING (event_id)
            ORDER BY s.partition, o.seq"""
    )
    heads = {
        r["partition"]: (r["seq"], r["seal"])
        for r in await conn.fetch(
            "SELECT partition, seq, seal FROM claim_order_heads WHERE consumer = $1", consumer
        )
    }
    walks: dict[int, order_seals.OrderWalk] = {}
    for row in rows:
        walk = walks.setdefault(row["partition"], order_seals.OrderWalk(consumer, row["partition"]))
        walk.check(row["seq"], row["event_id"], row["seal"])
    for partition, walk in walks.items():
        walk.end(heads[partition])
    return len(rows), list(walks.values()), heads


async def test_the_order_risk_recorded_before_its_seals_is_sealed_as_it_stood(
    postgres_admin_url: str,
) -> None:
    """Risk's 0013 seals the rows `risk_events` held, one block per partition, as
    order_seals.py walks them (and `add_events` writes them), seeds every partition's head,
    and names the table for `verify`."""
    events = [parse_event(case_b.line(case_b.another_vendor(f"vendor-risk-{n}"))) for n in range(8)]
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.risk", 13)
        await event_store.append_batch(conn, events)
        async with written_unsealed(conn):
            await conn.execute(
                "INSERT INTO risk_events (event_id) SELECT unnest($1::uuid[])",
                [e.event_id for e in events[::-1]],
            )
        await conn.execute(upgrade.sql)
        rows, walks, heads = await _walked(conn, "risk_events", "risk")
        named = await conn.fetchval("SELECT recorded_in::text FROM recorded_orders")
    assert rows == 8 and len(walks) > 1 and named == "risk_events"
    assert sorted(heads) == list(range(chain.PARTITIONS))
    for walk in walks:
        assert walk.problem is None and walk.seq > 0, walk


async def test_an_alert_acknowledged_before_the_upgrade_keeps_the_acknowledgement_that_stood(
    postgres_admin_url: str,
) -> None:
    """Alerts' 0005 names the event that acknowledged each alert. For alerts acknowledged
    before it, that is the first acknowledgement the alerts service applied, not one it
    refused nor a later one it applied as nothing; were it another, a replay of the alerts
    consumer would refuse the acknowledgement that stands."""
    acknowledged, open_alert = uuid.uuid4(), uuid.uuid4()

    def acknowledgement(note: str) -> EventEnvelope:
        payload = {"alert_id": str(acknowledged), "note": note}
        return parse_event(case_b.line(envelope("alert.acknowledged", payload, case_b.VENDOR)))

    refused, stood, dropped = (acknowledgement(n) for n in ("refused", "stood", "dropped"))
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.alerts", 5)
        await event_store.append_batch(conn, [refused, stood, dropped])
        await conn.executemany(
            "INSERT INTO processed_events (consumer, event_id, refused) VALUES ('alerts', $1, $2)",
            [(refused.event_id, True), (stood.event_id, False), (dropped.event_id, False)],
        )
        for alert_id, note in ((acknowledged, "stood"), (open_alert, None)):
            await conn.execute(
                """INSERT INTO alerts (alert_id, agency, vendor_id, change, as_of, reasons,
                       watchlists, cause_event_id, raised_at, acknowledged_at, acknowledge_note)
                   VALUES ($1, '市民課', $2, 'barred', '2024-05-01', '[]', '{bidders}', $3,
                           now(), CASE WHEN $4::text IS NULL THEN NULL ELSE now() END, $4)""",
                alert_id,
                case_b.VENDOR,
                uuid.uuid4(),
                note,
            )
        await conn.execute(upgrade.sql)
        rows = await conn.fetch("SELECT alert_id, acknowledged_event_id FROM alerts")
    assert {r["alert_id"]: r["acknowledged_event_id"] for r in rows} == {
        acknowledged: stood.event_id,
        open_alert: None,
    }


async def test_dead_letters_stored_before_their_tallies_are_tallied(
    postgres_admin_url: str,
) -> None:
    """Platform's 0007 counts the letters already stored; from then on its triggers count."""
    async with new_database(postgres_admin_url) as conn:
        upgrade = await migrated_but(conn, "services.platform", 7)
        await conn.execute(
            """INSERT INTO dead_letters (stage, reason, raw, raw_hash)
               SELECT (ARRAY['ingest', 'risk'])[1 + i % 2], 'refused', i::text, md5(i::text)
               FROM generate_series(1, 5) i"""
        )
        await conn.execute(upgrade.sql)
        await conn.execute(
            "INSERT INTO dead_letters (stage, reason, raw, raw_hash) VALUES"
            " ('risk', 'refused', 'later', md5('later'))"
        )
        tallied = await conn.fetch(
            "SELECT stage, sum(letters)::bigint AS n FROM dead_letter_tallies"
            " GROUP BY stage ORDER BY stage"
        )
    assert [(r["stage"], r["n"]) for r in tallied] == [("ingest", 2), ("risk", 4)]


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
        await _judged(conn, "registry", [may, january, refused], [False, False, True])
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
