"""Sanctions in the registry on a real PostgreSQL: the case, affiliates, amendments, lifts,
the suspension policy, and answers as known at a moment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import pytest

from tests.support import case_b
from tests.support.registry_db import apply, eligibility, rejection

pytestmark = pytest.mark.postgres


async def test_the_case_with_reason_and_return_date(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered(), case_b.suspended())
    for day in (case_b.SUSPENSION_START, case_b.LAST_SUSPENDED_DAY):
        answer = await eligibility(pool, case_b.VENDOR, day)
        assert not answer.eligible
        (reason,) = answer.reasons
        assert (reason.sanction_id, reason.authority) == (
            "city-2022-001",
            "City procurement office",
        )
        assert (reason.starts_on, reason.ends_on) == (dt.date(2022, 7, 9), dt.date(2024, 1, 8))
        assert answer.eligible_again_on == dt.date(2024, 1, 9)
    assert (await eligibility(pool, case_b.VENDOR, case_b.ELIGIBLE_AGAIN)).eligible
    before = await eligibility(pool, case_b.VENDOR, "2022-07-01")
    assert before.eligible and [r.sanction_id for r in before.upcoming] == ["city-2022-001"]


async def test_a_subsidiary_is_covered_only_when_the_sanction_says_so(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered(), case_b.subsidiary(), case_b.owned_by_b())
    await apply(pool, case_b.suspended())
    assert (await eligibility(pool, case_b.SUBSIDIARY, "2023-03-01")).eligible

    await apply(pool, case_b.suspended(sanction_id="city-2022-002", covers_affiliates=True))
    answer = await eligibility(pool, case_b.SUBSIDIARY, "2023-03-01")
    assert not answer.eligible
    (reason,) = answer.reasons
    assert (reason.sanction_id, reason.via_vendor_id) == ("city-2022-002", case_b.VENDOR)

    # Once the subsidiary leaves the group, B's sanction no longer reaches it.
    await apply(pool, case_b.owned_by_b(effective_on="2023-06-01", change="removed"))
    assert not (await eligibility(pool, case_b.SUBSIDIARY, "2023-05-31")).eligible
    assert (await eligibility(pool, case_b.SUBSIDIARY, "2023-06-01")).eligible


async def test_known_at_answers_as_the_registry_stood_then(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered())
    before_recording = await pool.fetchval("SELECT now()")
    await apply(pool, case_b.suspended())
    after_recording = await pool.fetchval("SELECT clock_timestamp()")
    await apply(pool, case_b.lifted("2023-01-01"))

    day = "2023-03-01"
    assert (await eligibility(pool, case_b.VENDOR, day, known_at=before_recording)).eligible
    assert not (await eligibility(pool, case_b.VENDOR, day, known_at=after_recording)).eligible
    assert (await eligibility(pool, case_b.VENDOR, day)).eligible  # lifted since


async def test_amendments_and_lifts_apply_from_their_dates(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered(), case_b.suspended())
    extended = case_b.amended(
        effective_on="2023-06-01", duration_months=24, policy_override_reason="new findings"
    )
    await apply(pool, extended)
    assert (await eligibility(pool, case_b.VENDOR, "2023-03-01")).eligible_again_on == dt.date(
        2024, 7, 9
    )
    await apply(pool, case_b.amended(effective_on="2023-07-01", agencies=["city-it"]))
    assert not (await eligibility(pool, case_b.VENDOR, "2023-06-30", agency="city-roads")).eligible
    assert (await eligibility(pool, case_b.VENDOR, "2023-07-01", agency="city-roads")).eligible
    await apply(pool, case_b.lifted("2023-09-01"))
    assert not (await eligibility(pool, case_b.VENDOR, "2023-08-31")).eligible
    assert (await eligibility(pool, case_b.VENDOR, "2023-09-01")).eligible


async def test_bad_sanction_events_are_refused_with_a_clear_reason(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered(), case_b.another_vendor("vendor-c"), case_b.suspended())
    assert "unknown sanction 'nope'" in await rejection(
        pool, case_b.amended("nope", effective_on="2023-01-01", duration_months=3)
    )
    assert "unknown sanction 'nope'" in await rejection(pool, case_b.lifted("2023-01-01", "nope"))
    assert "is before the sanction's start 2022-07-09" in await rejection(
        pool, case_b.amended(effective_on="2023-01-01", ends_on="2022-01-01")
    )
    # Decided on 2022-07-08: nothing changes it before then.
    assert "2022-07-01 is before the sanction was decided, on 2022-07-08" in await rejection(
        pool, case_b.lifted("2022-07-01")
    )
    assert "is before the sanction was decided" in await rejection(
        pool, case_b.amended(effective_on="2022-06-30", categories=["roads"])
    )
    others = case_b.lifted("2023-01-01")
    others["vendor_id"] = "vendor-c"
    assert "belongs to vendor 'vendor-b'" in await rejection(pool, others)
    assert "unknown vendor 'vendor-x'" in await rejection(
        pool, case_b.suspended(vendor_id="vendor-x", sanction_id="s-x")
    )
    assert "already exists" in await rejection(pool, case_b.suspended())


@pytest.mark.parametrize(
    ("period", "says"),
    [
        ({"duration_months": 30}, "30 months is outside"),
        ({"indefinite": True}, "an indefinite period is outside"),
        ({"ends_on": "2026-01-08"}, "ending on 2026-01-08 is outside"),
        ({"duration_months": 1}, "1 month is outside"),
    ],
)
async def test_an_amended_period_outside_the_policy_is_refused_without_a_reason(
    pool: asyncpg.Pool, period: dict[str, Any], says: str
) -> None:
    # The 18-month suspension (serious: 2–18 months) amended past its range, or below it:
    # applied, it barred vendor B for as long as anyone wrote, with no reason recorded.
    await apply(pool, case_b.registered(), case_b.suspended())
    refusal = await rejection(pool, case_b.amended(effective_on="2023-01-01", **period))
    assert says in refusal and "2–18 months" in refusal
    assert "amend it with policy_override_reason to record why" in refusal
    # The 18 months stand: barred on their last day, eligible the day after.
    assert not (await eligibility(pool, case_b.VENDOR, "2024-01-08")).eligible
    assert (await eligibility(pool, case_b.VENDOR, "2024-01-09")).eligible
    # Within the range, or with the reason recorded, it applies (`apply` fails on a refusal).
    await apply(pool, case_b.amended(effective_on="2023-01-01", duration_months=12))
    assert (await eligibility(pool, case_b.VENDOR, "2023-07-09")).eligible
    overridden = case_b.amended(effective_on="2023-01-02", policy_override_reason="found", **period)
    await apply(pool, overridden)


async def test_the_policy_refuses_a_period_outside_its_range_unless_overridden(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered())
    reason = await rejection(pool, case_b.suspended(duration_months=24))
    assert "24 months" in reason and "2–18 months" in reason
    assert "policy_override_reason" in reason
    await apply(
        pool,
        case_b.suspended(
            duration_months=24, policy_override_reason="Repeated offence after a warning."
        ),
    )
    recorded = await pool.fetchval("SELECT policy_override_reason FROM registry_sanctions")
    assert recorded == "Repeated offence after a warning."


async def test_an_affiliate_may_be_named_before_it_registers(pool: asyncpg.Pool) -> None:
    """In distributed mode the parent's registration travels in another partition: the
    relation is recorded whichever arrives first, and bars the subsidiary once both are in."""
    await apply(pool, case_b.subsidiary(), case_b.owned_by_b())
    await apply(pool, case_b.registered())
    await apply(pool, case_b.suspended(covers_affiliates=True))
    answer = await eligibility(pool, case_b.SUBSIDIARY, "2023-03-01")
    assert not answer.eligible
    assert [r.via_vendor_id for r in answer.reasons] == [case_b.VENDOR]
