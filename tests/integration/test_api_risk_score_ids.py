"""One global id, one score: `riskiestVendors` ranks the stored current scores, which lag a
vendor's score computed when asked (`riskScore`) after another vendor's critical contract
moves its concentration share, until the risk service's periodic job has run. Found by a
tester: both had the id `RiskScore:<vendor>/<day>`, so one answer gave one id two scores (and
two factor lists), which a normalising client cache merged into one object, and `node(id:)`
answered the computed one for the ranking's row too. Through the whole ASGI app on a real
PostgreSQL, the registry and the risk service applying the log."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.risk.jobs import calendar
from tests.support import case_b, case_risk
from tests.support.in_process_api import over_http
from tests.support.principals import token
from tests.support.risk_service import applied, service
from tests.support.served_objects import fields

pytestmark = pytest.mark.postgres

DAY = "2022-08-10"  # the risk service's today: the contracts run on it
HELD, OTHER, NEWCOMER = "vb", "vo", "vg"
SCORE = fields("RiskScore")
BOTH = f"""query ($v: ID!, $day: Date!) {{
  a: riskScore(vendorId: $v, asOf: $day) {{ {SCORE} }}
  r: riskiestVendors(first: 20) {{ {SCORE} }}
}}"""
AGAIN = f"query ($id: ID!) {{ node(id: $id) {{ ... on RiskScore {{ {SCORE} }} }} }}"


async def _asked(pool: asyncpg.Pool, query: str, **variables: Any) -> dict[str, Any]:
    answer = await over_http(pool, token(), query, **variables)
    assert "errors" not in answer, answer["errors"]
    data: dict[str, Any] = answer["data"]
    return data


async def _both(pool: asyncpg.Pool) -> tuple[dict[str, Any], dict[str, Any]]:
    """HELD's score computed for DAY and its row of the ranking, in one answer; every id of
    the answer names one content."""
    data = await _asked(pool, BOTH, v=HELD, day=DAY)
    contents: dict[str, list[dict[str, Any]]] = {}
    for score in [data["a"], *data["r"]]:
        contents.setdefault(score["id"], []).append(score)
    assert all(all(c == same[0] for c in same) for same in contents.values()), contents
    (ranked,) = [r for r in data["r"] if r["vendorId"] == HELD]
    return data["a"], ranked


async def _again(pool: asyncpg.Pool, node_id: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = (await _asked(pool, AGAIN, id=node_id))["node"]
    return found


async def test_a_ranked_score_and_the_computed_one_have_ids_of_their_own(
    pool: asyncpg.Pool,
) -> None:
    risk = service(DAY)
    vendors = [case_b.another_vendor(v) for v in (HELD, OTHER, NEWCOMER)]
    # HELD holds 1 of the agency's 5 running critical contracts.
    holdings = [*case_risk.awards(HELD, 1), *case_risk.awards(OTHER, 4)]
    await applied(pool, risk, [*vendors, *holdings])
    await calendar(pool, risk)
    computed, ranked = await _both(pool)
    assert computed["score"] == ranked["score"]

    # Another vendor's award: HELD holds 1 of 6, at once when asked, in the ranking once the
    # job has run.
    await applied(pool, risk, case_risk.awards(NEWCOMER, 1))
    computed, ranked = await _both(pool)
    assert computed["score"] < ranked["score"]
    assert computed["id"] != ranked["id"]
    # Each id fetches again exactly what was shown under it.
    assert await _again(pool, computed["id"]) == computed
    assert await _again(pool, ranked["id"]) == ranked

    await calendar(pool, risk)
    caught_up, ranked_now = await _both(pool)
    assert caught_up == computed
    assert ranked_now["id"] == ranked["id"]  # the same stored score, re-scored
    assert ranked_now["score"] == computed["score"]
    assert await _again(pool, ranked["id"]) == ranked_now

    # The next day's refresh stores the scores of that day: objects of their own; the stored
    # score of DAY is no more.
    await calendar(pool, service("2022-08-11"))
    (next_day,) = [
        r for r in (await _asked(pool, BOTH, v=HELD, day=DAY))["r"] if r["vendorId"] == HELD
    ]
    assert next_day["asOf"] == "2022-08-11" and next_day["id"] != ranked["id"]
    assert await _again(pool, next_day["id"]) == next_day
    assert await _again(pool, ranked["id"]) is None
    assert await _again(pool, computed["id"]) == computed  # DAY's score, computed again
