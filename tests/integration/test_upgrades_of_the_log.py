"""Upgrades of a database holding events, on a real PostgreSQL: the log, its forwarding and the
orders recorded beside it as the code before left them, carried into what the code now keeps
(the chain, the forwarding heads, the sealed orders, the dead letters' tallies) as they
stood."""

from __future__ import annotations

import datetime as dt

import pytest

from services.events.catalog import parse_event
from services.platform.eventstore import chain, event_store
from services.platform.eventstore.event_store import canonical_json, content_hash
from services.platform.postgres import migrations
from tests.support import case_b
from tests.support.event_examples import envelope, example
from tests.support.upgrades import applied, migrated_but, new_database, walked

pytestmark = pytest.mark.postgres


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
        rows, walks, _ = await walked(conn, "claim_order", "registry")
    assert rows == 8 and len(walks) > 1
    for walk in walks:
        assert walk.problem is None and walk.seq > 0, walk


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
