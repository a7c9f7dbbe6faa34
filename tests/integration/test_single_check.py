"""`bidEligibility`'s one statement: the same answers as a screen of that one bidder (its
three statements), for vendors barred by their own sanctions, by an affiliate's, by an
affiliate no longer affiliated, not at all, and as the registry stood before the sanctions."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from services.platform.postgres.database import Connection, keyed_lookups_pool
from services.registry.domain.names import IdentifierKey
from services.registry.reads import queries, single_check
from tests.support import case_b
from tests.support.bidder_portfolio import BIDDERS, DAY, apply, bidder_portfolio

pytestmark = pytest.mark.postgres


def _affiliation(vendor: int, related: int, change: str, effective_on: str) -> dict[str, Any]:
    event = case_b.owned_by_b(effective_on=effective_on, change=change)
    event["vendor_id"] = f"b{vendor:04d}"
    event["payload"] = {**event["payload"], "related_vendor_id": f"b{related:04d}"}
    return event


def _ended_and_never_started() -> list[dict[str, Any]]:
    """Beside the portfolio's affiliations: some that ended before DAY (a subsidiary of every
    22nd pair sold on 2022-06-01), and removals of relations that never stood (no period:
    the pair is read, and counts for nothing) with every 21st vendor, whose suspension
    covers affiliates."""
    ended = [_affiliation(i, i - 1, "removed", "2022-06-01") for i in range(1, BIDDERS, 22)]
    never = [_affiliation(i + 2, i, "removed", "2021-01-01") for i in range(0, BIDDERS - 2, 21)]
    return ended + never


async def test_one_statement_answers_as_the_screen_of_that_bidder(pool: asyncpg.Pool) -> None:
    portfolio = bidder_portfolio()
    vendors = [e for e in portfolio if e["event_type"] == "vendor.registered"]
    await apply(pool, vendors)
    before_sanctions = await pool.fetchval("SELECT now()")
    await apply(pool, [e for e in portfolio if e not in vendors] + _ended_and_never_started())
    assert await pool.fetchval("SELECT count(*) FROM dead_letters") == 0
    bidders = [f"b{i:04d}" for i in range(BIDDERS)]

    statements: list[str] = []
    async with pool.acquire() as conn:
        # asyncpg reads the layout of the statement's row types on a connection's first use.
        await single_check.eligibility(conn, bidders[0], None, DAY)
        conn.add_query_logger(lambda record: statements.append(record.query))
        singles = [await single_check.eligibility(conn, b, None, DAY) for b in bidders]
        await asyncio.sleep(0)  # asyncpg calls its query loggers soon after, not at once
        assert statements == [single_check.ONE_CHECK] * BIDDERS
        screened = await queries.bid_eligibility_many(conn, bidders, DAY)
        known_then = [
            await single_check.eligibility(conn, b, None, DAY, known_at=before_sanctions)
            for b in bidders[:100]
        ]

    assert singles == screened
    via_affiliate = sum(any(r.via_vendor_id for r in answer.reasons) for answer in singles)
    barred = sum(not answer.eligible for answer in singles)
    assert 0 < via_affiliate < barred < BIDDERS  # every path is exercised
    assert all(answer.eligible and not answer.reasons for answer in known_then)


async def _plans(conn: Connection) -> tuple[int, int]:
    """How often the check's prepared statement ran on a generic plan, and on a custom one."""
    row = await conn.fetchrow(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1",
        single_check.ONE_CHECK,
    )
    assert row is not None, "the check's statement is not prepared on this connection"
    return row["generic_plans"], row["custom_plans"]


async def test_the_keyed_lookups_pool_plans_the_statement_once_with_the_same_answers(
    database_url: str, pool: asyncpg.Pool
) -> None:
    await apply(pool, bidder_portfolio() + _ended_and_never_started())
    bidders = [f"b{i:04d}" for i in range(BIDDERS)]
    async with keyed_lookups_pool(database_url) as lookups, lookups.acquire() as keyed:
        on_keyed = [await single_check.eligibility(keyed, b, None, DAY) for b in bidders]
        generic, custom = await _plans(keyed)
    async with pool.acquire() as conn:
        on_main = [await single_check.eligibility(conn, b, None, DAY) for b in bidders]
        main_generic, main_custom = await _plans(conn)
    assert on_keyed == on_main
    # PostgreSQL's own choice after five runs planned for their values: one plan for all.
    assert generic >= BIDDERS - 5 and custom <= 5, (generic, custom)
    # The other pools plan each run for its values (database.SERVER_SETTINGS).
    assert main_generic == 0 and main_custom >= BIDDERS, (main_generic, main_custom)


async def test_an_unknown_vendor_is_named_and_an_identifier_resolved(pool: asyncpg.Pool) -> None:
    await apply(pool, [case_b.registered(), case_b.suspended()])
    corporate = IdentifierKey("corporate_number", "7000012050002")
    async with pool.acquire() as conn:
        with pytest.raises(queries.RegistryQueryError, match="vendorId: unknown vendor 'b-typo'"):
            await single_check.eligibility(conn, "b-typo", None, DAY)
        by_identifier = await single_check.eligibility(conn, None, corporate, DAY)
        by_id = await single_check.eligibility(conn, case_b.VENDOR, None, DAY)
        with pytest.raises(queries.RegistryQueryError, match="exactly one"):
            await single_check.eligibility(conn, case_b.VENDOR, corporate, DAY)
    assert by_identifier == by_id and by_id.vendor_id == case_b.VENDOR
    assert not by_id.eligible and [r.sanction_id for r in by_id.reasons] == ["city-2022-001"]
