"""A portfolio of 1,000 bidders (`BIDDERS`) on a real registry, for the tests that screen many
at once: every 7th suspended, every 11th a subsidiary of the one before it, every 3rd sanction
covering affiliates (`bidder_portfolio`), asked about on `DAY`; and events applied by the
registry 500 at a time (`apply`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from services.platform.consuming.consumer import apply_serialized_batch
from tests.support import case_b
from tests.support.registry import REGISTRY

BIDDERS = 1000
DAY = dt.date(2023, 3, 1)


def bidder_portfolio() -> list[dict[str, Any]]:
    """1,000 vendors: every 7th suspended, every 11th a subsidiary of the one before it, with
    every 3rd sanction covering affiliates."""
    events = [case_b.another_vendor(f"b{i:04d}") for i in range(BIDDERS)]
    for i in range(0, BIDDERS, 7):
        events.append(
            case_b.suspended(
                vendor_id=f"b{i:04d}",
                sanction_id=f"s{i:04d}",
                covers_affiliates=i % 3 == 0,
                starts_on=f"2022-{1 + i % 12:02d}-10",
                decided_on="2022-01-01",
                duration_days=30 + i,
                duration_months=None,
                policy_override_reason="test portfolio",
            )
        )
    for i in range(1, BIDDERS, 11):
        owned = case_b.owned_by_b()
        owned["vendor_id"] = f"b{i:04d}"
        owned["payload"] = {**owned["payload"], "related_vendor_id": f"b{i - 1:04d}"}
        events.append(owned)
    return events


async def apply(pool: asyncpg.Pool, events: list[dict[str, Any]]) -> None:
    lines = [case_b.line(e) for e in events]
    for start in range(0, len(lines), 500):
        await apply_serialized_batch(pool, REGISTRY, lines[start : start + 500])
