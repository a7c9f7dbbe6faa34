"""What the registry's foreign keys to its vendors and its per-row dating guaranteed, now done
once per statement (registry migration 0008): a row naming an unregistered vendor is refused
whichever statement writes it, a vendor is never removed nor renamed, and a row is dated when
the log recorded its event whether the statement or the trigger dates it."""

from __future__ import annotations

import json
import uuid

import asyncpg
import pytest

from services.events.catalog import parse_event
from services.platform.eventstore import event_store
from services.registry.batch import repository
from tests.support.event_examples import envelope, example

pytestmark = pytest.mark.postgres

_VENDOR = "INSERT INTO registry_vendors (vendor_id, legal_name, event_id) VALUES ($1, 'X', $2)"


async def _registered(pool: asyncpg.Pool, *vendor_ids: str) -> None:
    for vendor_id in vendor_ids:
        await pool.execute(_VENDOR, vendor_id, uuid.uuid4())


def _claim(vendor_id: str, claim_id: str) -> dict[str, object]:
    return {
        "vendor_id": vendor_id,
        "claim_id": claim_id,
        "filed_on": "2024-01-05",
        "amount": 100,
        "currency": "JPY",
        "description": "damage",
        "event_id": str(uuid.uuid4()),
    }


async def test_a_statement_naming_an_unregistered_vendor_is_refused_whole(
    pool: asyncpg.Pool,
) -> None:
    await _registered(pool, "v-1", "v-2")
    rows = [_claim("v-1", "c-1"), _claim("nobody", "c-2"), _claim("v-2", "c-3")]
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.ForeignKeyViolationError) as refused:
            await repository.insert_records(conn, "registry_claims", rows)
    assert refused.value.detail is not None and "(nobody)" in refused.value.detail
    assert await pool.fetchval("SELECT count(*) FROM registry_claims") == 0

    # The same rows without the stranger go in, one statement or one row at a time.
    async with pool.acquire() as conn:
        await repository.insert_records(conn, "registry_claims", [rows[0], rows[2]])
    await pool.execute(
        "INSERT INTO registry_vendor_names (vendor_id, kind, name) VALUES ('v-1', 'alias', 'Y')"
    )
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await pool.execute(
            "INSERT INTO registry_vendor_names (vendor_id, kind, name)"
            " VALUES ('nobody', 'alias', 'Y')"
        )
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await pool.execute("UPDATE registry_claims SET vendor_id = 'nobody' WHERE claim_id = 'c-1'")
    assert await pool.fetchval("SELECT count(*) FROM registry_claims WHERE vendor_id = 'v-1'") == 1


async def test_a_vendor_is_never_removed_nor_renamed(pool: asyncpg.Pool) -> None:
    await _registered(pool, "v-1")
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await pool.execute("DELETE FROM registry_vendors WHERE vendor_id = 'v-1'")
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await pool.execute("UPDATE registry_vendors SET vendor_id = 'v-2' WHERE vendor_id = 'v-1'")
    # Other columns change as before.
    await pool.execute("UPDATE registry_vendors SET legal_name = 'Z' WHERE vendor_id = 'v-1'")


async def test_rows_are_dated_by_the_log_by_statement_and_by_trigger_alike(
    pool: asyncpg.Pool,
) -> None:
    await _registered(pool, "v-1")
    logged = parse_event(json.dumps(envelope("claim.filed", example("claim.filed"), "v-1")))
    async with pool.acquire() as conn, conn.transaction():
        await event_store.append_batch(conn, [logged])
    recorded_at = await pool.fetchval(
        "SELECT recorded_at FROM event_store WHERE event_id = $1", logged.event_id
    )
    by_statement, by_trigger, unlogged = (
        _claim("v-1", "c-1"),
        _claim("v-1", "c-2"),
        _claim("v-1", "c-3"),
    )
    by_statement["event_id"] = by_trigger["event_id"] = str(logged.event_id)
    async with pool.acquire() as conn, conn.transaction():
        await repository.insert_records(conn, "registry_claims", [by_statement, unlogged])
        now = await conn.fetchval("SELECT now()")
    await pool.execute(
        "INSERT INTO registry_claims (vendor_id, claim_id, filed_on, amount, currency,"
        " description, event_id) VALUES ('v-1', 'c-2', '2024-01-05', 1, 'JPY', 'd', $1)",
        logged.event_id,
    )
    dated = {
        r["claim_id"]: r["recorded_at"]
        for r in await pool.fetch("SELECT claim_id, recorded_at FROM registry_claims")
    }
    # An event applied without the log is dated by the transaction that applied it.
    assert dated == {"c-1": recorded_at, "c-2": recorded_at, "c-3": now}
