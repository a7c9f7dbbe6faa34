"""Driving the registry projection directly (real PostgreSQL, no event log in between)."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import asyncpg

from services.platform.consuming.consumer import Consumer, apply_serialized_batch
from services.registry.domain.eligibility import Eligibility
from services.registry.reads import queries
from tests.support import case_b
from tests.support.postgres import count_now
from tests.support.registry import REGISTRY


async def apply(pool: asyncpg.Pool, *events: dict[str, Any], consumer: Consumer = REGISTRY) -> None:
    """Applies the events; a dead letter for any of them fails the test with its reason."""
    await apply_serialized_batch(pool, consumer, [case_b.line(e) for e in events])
    reasons = await pool.fetch(
        "SELECT reason FROM dead_letters WHERE event_id = ANY($1::uuid[])",
        [e["event_id"] for e in events],
    )
    assert not reasons, [r["reason"] for r in reasons]


async def rejection(
    pool: asyncpg.Pool, event: dict[str, Any], consumer: Consumer = REGISTRY
) -> str:
    """Applies one event that must be refused; returns the reason."""
    await apply_serialized_batch(pool, consumer, [case_b.line(event)])
    reason: str | None = await pool.fetchval(
        "SELECT reason FROM dead_letters WHERE event_id = $1::uuid", event["event_id"]
    )
    assert reason is not None, f"{event['event_type']} was applied, not refused"
    return reason


async def eligibility(
    pool: asyncpg.Pool,
    vendor_id: str,
    day: str,
    *,
    known_at: dt.datetime | None = None,
    agency: str | None = None,
) -> Eligibility:
    async with pool.acquire() as conn:
        (answer,) = await queries.bid_eligibility_many(
            conn, [vendor_id], dt.date.fromisoformat(day), known_at=known_at, agency=agency
        )
    return answer


async def outbox(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT event FROM registry_outbox ORDER BY id")
    return [json.loads(r["event"]) for r in rows]


def sanctions_recorded(database_url: str, prefix: str) -> int:
    """How many sanctions whose id starts with `prefix` (an imported list's) the registry
    holds: a list's import is applied once they are all there."""

    return count_now(
        database_url,
        "SELECT count(*) FROM registry_sanctions WHERE starts_with(sanction_id, $1)",
        prefix,
    )


def wait_for_sanctions(database_url: str, prefix: str, count: int, stalled: float = 60) -> None:
    """Waits until the registry holds `count` sanctions of an imported list (`prefix`), for as
    long as their number keeps growing: it fails only when `stalled` seconds pass without a
    new one (a loaded machine applies a list slower, not never)."""
    recorded, since = -1, time.monotonic()
    while (now := sanctions_recorded(database_url, prefix)) != count:
        if now != recorded:
            recorded, since = now, time.monotonic()
        elif time.monotonic() - since > stalled:
            raise AssertionError(
                f"{recorded} of {count} {prefix} sanctions recorded, none more in {stalled:.0f}s"
            )
        time.sleep(0.2)
