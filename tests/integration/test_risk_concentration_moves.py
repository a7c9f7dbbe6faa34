"""Another vendor's award moves a vendor's concentration: riskiestVendors, which ranks the
stored current scores, agrees with riskScore once the risk service's periodic job has run,
not only after the next daily refresh; and as soon as a rebuild commits."""

from __future__ import annotations

import asyncpg
import pytest

from services.risk import current_scores
from services.risk.handlers import RiskService
from services.risk.jobs import calendar
from services.risk.rebuild import rebuild
from services.risk.storage import moved_agencies
from tests.support import case_b, case_risk
from tests.support.risk_service import applied, service

pytestmark = pytest.mark.postgres

DAY = "2022-08-10"  # the services' today: the contracts below run on it
AGENCY = case_risk.AGENCY


async def _ranked(pool: asyncpg.Pool, risk: RiskService, vendor_id: str) -> float:
    async with pool.acquire() as conn:
        ranked = await current_scores.riskiest(conn, risk, 10, None)
    return next(score.score for v, _, score in ranked if v == vendor_id)


async def _asked(pool: asyncpg.Pool, risk: RiskService, vendor_id: str) -> float:
    async with pool.acquire() as conn:
        return (await risk.evaluate(conn, vendor_id, risk.clock.today())).score


async def test_another_vendors_awards_move_a_ranked_score_once_the_job_has_run(
    pool: asyncpg.Pool,
) -> None:
    risk = service(DAY)
    registered = [case_b.another_vendor("vendor-a"), case_b.another_vendor("vendor-z")]
    await applied(pool, risk, [*registered, *case_risk.awards("vendor-a", 3)])
    await calendar(pool, risk)
    # A holds all three of the agency's critical contracts: the whole concentration.
    alone = await _ranked(pool, risk, "vendor-a")
    assert alone == await _asked(pool, risk, "vendor-a")

    await applied(pool, risk, case_risk.awards("vendor-z", 9))  # A now holds 3 of 12
    asked = await _asked(pool, risk, "vendor-a")
    assert asked < alone
    assert await moved_agencies.marked(pool) != []
    assert await _ranked(pool, risk, "vendor-a") == alone  # stored before Z's awards

    await calendar(pool, risk)
    assert await _ranked(pool, risk, "vendor-a") == asked
    assert await moved_agencies.marked(pool) == []
    # Nothing moved since: the job re-scores no one.
    await calendar(pool, risk)
    assert await moved_agencies.marked(pool) == []


async def test_a_rebuild_commits_the_ranking_live_processing_had_after_its_job(
    pool: asyncpg.Pool,
) -> None:
    """A replay stores A's score as of its last event, before Z's awards; the rebuild
    re-scores it before it commits, as the job had live."""
    risk = service(DAY)
    registered = [case_b.another_vendor("vendor-a"), case_b.another_vendor("vendor-z")]
    await applied(
        pool,
        risk,
        [*registered, *case_risk.awards("vendor-a", 3), *case_risk.awards("vendor-z", 9)],
    )
    await calendar(pool, risk)
    asked = await _asked(pool, risk, "vendor-a")
    assert await _ranked(pool, risk, "vendor-a") == asked

    await rebuild(pool, risk)
    assert await _ranked(pool, risk, "vendor-a") == asked
    assert await moved_agencies.marked(pool) == []
