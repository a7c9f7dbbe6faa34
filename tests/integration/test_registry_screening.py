"""Screening many bidders at once: the same answers as one by one, in a bounded number of
SQL round trips however many bidders there are."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from services.platform.consuming.consumer import apply_serialized_batch
from services.registry.reads import queries
from tests.support import case_b
from tests.support.bidder_portfolio import BIDDERS, DAY, bidder_portfolio
from tests.support.registry import REGISTRY

pytestmark = pytest.mark.postgres


async def test_batch_screening_matches_single_checks_in_bounded_round_trips(
    pool: asyncpg.Pool,
) -> None:
    events = [case_b.line(e) for e in bidder_portfolio()]
    for start in range(0, len(events), 500):
        await apply_serialized_batch(pool, REGISTRY, events[start : start + 500])
    assert await pool.fetchval("SELECT count(*) FROM dead_letters") == 0
    bidders = [f"b{i:04d}" for i in range(BIDDERS)]

    statements: list[str] = []
    async with pool.acquire() as conn:
        conn.add_query_logger(lambda record: statements.append(record.query))
        batch = await queries.bid_eligibility_many(conn, bidders, DAY)
        round_trips = len(statements)
        singles = [(await queries.bid_eligibility_many(conn, [b], DAY))[0] for b in bidders]

    assert round_trips <= 4, statements
    assert batch == singles
    assert [(a.vendor_id, a.eligible) for a in batch] == [(b, _expected(b)) for b in bidders]
    barred = sum(not answer.eligible for answer in batch)
    via_affiliate = sum(any(r.via_vendor_id for r in answer.reasons) for answer in batch)
    assert 0 < via_affiliate < barred < BIDDERS  # the portfolio exercises every path


def _suspended_on_day(i: int) -> bool:
    """Independently of the registry: is bidder i's own suspension in force on DAY?"""
    if i % 7:
        return False
    start = dt.date(2022, 1 + i % 12, 10)
    return start <= DAY <= start + dt.timedelta(days=30 + i - 1)


def _expected(bidder: str) -> bool:
    """The portfolio's answer for DAY, worked out from how it was built (sanctions covering
    affiliates reach parents and subsidiaries alike)."""
    i = int(bidder[1:])
    # Affiliates reached: the parent of a subsidiary, and the subsidiary of a parent.
    affiliates = [j for j in (i - 1, i + 1) if max(i, j) % 11 == 1 and 0 <= j < BIDDERS]
    return not _suspended_on_day(i) and not any(
        j % 3 == 0 and _suspended_on_day(j) for j in affiliates
    )


async def test_unknown_bidders_are_named(pool: asyncpg.Pool) -> None:
    await apply_serialized_batch(pool, REGISTRY, [case_b.line(case_b.registered())])
    async with pool.acquire() as conn:
        with pytest.raises(queries.RegistryQueryError, match=r"unknown vendor 'b-typo'$"):
            await queries.bid_eligibility_many(conn, [case_b.VENDOR, "b-typo"], DAY)
        # A whole list of strangers is named up to a screenful, the rest counted.
        strangers = [f"x-{n:04}" for n in range(5000)]
        with pytest.raises(queries.RegistryQueryError) as refused:
            await queries.bid_eligibility_many(conn, strangers, DAY)
    said = str(refused.value)
    assert said.endswith("'x-0019' and 4980 more (5000 in all)") and len(said) < 500


async def test_more_vendors_than_the_limit_are_counted_as_vendors(pool: asyncpg.Pool) -> None:
    """bidEligibilityMany is given vendor ids, not bidders (screenBidders' word): it said
    "5001 bidders in one call"."""
    async with pool.acquire() as conn:
        with pytest.raises(queries.RegistryQueryError) as refused:
            await queries.bid_eligibility_many(conn, [f"v{n}" for n in range(5001)], DAY)
    assert str(refused.value) == "vendorIds: 5,001 vendors in one call; the limit is 5,000"
