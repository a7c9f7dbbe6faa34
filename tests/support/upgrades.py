"""Databases from before a migration, for the upgrade tests on a real PostgreSQL: an empty
database of its own, every migration but one applied, that one applied as `apply_migrations`
applies it, rows written as the releases before the seals wrote them."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg

from services.events.base import EventEnvelope
from services.platform.eventstore import order_seals
from services.platform.postgres import migrations
from services.platform.postgres.migrations import Migration
from tests.support.postgres import with_database


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


async def judged(
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


async def walked(
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
