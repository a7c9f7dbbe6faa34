"""Two copies of one database holding the same log, to apply the same batches to each through
a service's batch handler and through its handlers one event at a time, and compare what the
service left: every table of the service (its outbox included), the ledger and the dead
letters (the refusals and their reasons), down to the recorded times, which both copies take
from the log they share."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from services.events.base import EventEnvelope
from services.platform.consuming.consumer import BatchHandler, Consumer, apply_batch
from services.platform.postgres.database import open_pool
from tests.support import event_log, postgres

# Columns that legitimately differ between the copies: serials, transaction ids, the moment
# a row was written by the ledger or the dead letters, since when a plan waits for the planner
# (not dated by the log).
VOLATILE = frozenset({"id", "seq", "xid", "created_at", "processed_at", "due_since"})

Snapshot = dict[str, list[tuple[Any, ...]]]

# The registry's change feed in its order per vendor (registry/batch/rules.py: set-based
# events go first, so the feed's serial differs between the two paths; each vendor's does not).
REGISTRY_ORDER = {"registry_changes": "vendor_id, seq"}


@asynccontextmanager
async def two_copies(
    test_databases: postgres.TestDatabases,
    events: Sequence[EventEnvelope],
    then: Sequence[EventEnvelope] = (),
) -> AsyncIterator[tuple[str, str]]:
    """Two databases holding the same log (`events`, recorded once; `then` recorded after
    them, by a later append)."""
    first = await test_databases.create()
    pool = await open_pool(first, migrate=False)
    try:
        await event_log.append(pool, events)
        if then:
            await event_log.append(pool, then)
    finally:
        await pool.close()
    second = await test_databases.create(like=first)
    try:
        yield first, second
    finally:
        await test_databases.drop(first)
        await test_databases.drop(second)


async def apply(url: str, consumer: Consumer, batches: Sequence[Sequence[EventEnvelope]]) -> None:
    pool = await open_pool(url, migrate=False)
    try:
        for batch in batches:
            await apply_batch(pool, consumer, batch)
    finally:
        await pool.close()


def watched(apply_all: BatchHandler, faults: list[int]) -> BatchHandler:
    """The batch handler, noting the batches it could not apply (by their size): a batch
    without a refusal must not need the per-event fallback, which would hide a set-based path
    that always fails."""

    async def watched(conn: Any, events: Sequence[EventEnvelope]) -> None:
        try:
            await apply_all(conn, events)
        except Exception:
            faults.append(len(events))
            raise

    return watched


async def snapshot(
    url: str,
    service: str,
    volatile: frozenset[str] = VOLATILE,
    order: Mapping[str, str] | None = None,
) -> Snapshot:
    """Every table of `service` (named `<service>_…`), the ledger and the dead letters, without
    volatile columns; rows in the order they were written where the table keeps one (a
    serial), or in the `order` given for a table."""
    pool = await open_pool(url, migrate=False)
    try:
        return await _snapshot(pool, service, volatile, order or {})
    finally:
        await pool.close()


async def _snapshot(
    pool: asyncpg.Pool, service: str, volatile: frozenset[str], order_of: Mapping[str, str]
) -> Snapshot:
    tables = [
        r["table_name"]
        for r in await pool.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            " AND (table_name LIKE $1 OR table_name IN ('dead_letters', 'processed_events'))"
            " ORDER BY table_name",
            f"{service}\\_%",
        )
    ]
    result = {}
    for table in tables:
        columns = [
            r["column_name"]
            for r in await pool.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_name = $1"
                " ORDER BY ordinal_position",
                table,
            )
        ]
        kept = [c for c in columns if c not in volatile]
        if table == "dead_letters" and "recorded_at" in kept:
            kept.remove("recorded_at")  # when the refusal was written, not the event
        order = order_of.get(table) or ("id" if "id" in columns else "1")
        rows = await pool.fetch(f"SELECT {', '.join(kept)} FROM {table} ORDER BY {order}")
        values = [tuple(_comparable(table, dict(r)).values()) for r in rows]
        result[table] = values if order != "1" else sorted(values, key=repr)
    return result


def _comparable(table: str, row: dict[str, Any]) -> dict[str, Any]:
    if table.endswith("_outbox"):  # an announcement's own event id is new each time
        event = json.loads(row["event"])
        del event["event_id"]
        row["event"] = event
    return row
