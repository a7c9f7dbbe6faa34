"""A reason's `barsFrom` and `resumed`: the first day of the bar it explains, which is not its
sanction's first day for a vendor barred through an affiliation that began later, nor after
a gap in the sanction (ended, then extended by an amendment dated after a free spell); asked
of `bidEligibility`, `bidEligibilityMany` and `screenBidders`, directly, in fragments and
over HTTP (a known query's plan), on a real PostgreSQL."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.gateway.execution.query_plans import QueryPlan
from services.registry.domain.eligibility import Eligibility, evaluate
from services.registry.reads import screening
from tests.support import case_b
from tests.support.in_process_api import asgi_client, execute
from tests.support.principals import token
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

SUBSIDIARY = case_b.SUBSIDIARY
AFFILIATED_ON = "2022-07-14"  # five days after B's suspension began (2022-07-09)
RESUMED_ON = "2024-02-01"  # the suspension ended on 2024-01-08; extended from here
BAR = "sanctionId startsOn barsFrom resumed endsOn viaVendorId"
ONE = f"""query ($v: ID!, $d: Date!) {{ bidEligibility(vendor: {{vendorId: $v}}, asOf: $d) {{
  reasons {{ {BAR} }} upcoming {{ {BAR} }} }} }}"""
MANY = f"""query ($v: [ID!]!, $d: Date!) {{ bidEligibilityMany(vendorIds: $v, asOf: $d) {{
  vendorId reasons {{ {BAR} }} }} }}"""
SCREEN = f"""query ($b: [BidderInput!]!, $d: Date!) {{ screenBidders(bidders: $b, asOf: $d) {{
  ref status eligibility {{ reasons {{ {BAR} }} }} }} }}"""
IN_FRAGMENTS = """query ($v: ID!, $d: Date!) { bidEligibility(vendor: {vendorId: $v}, asOf: $d) {
  ...Answer } }
fragment Answer on BidEligibility { reasons { sanctionId ... on EligibilityReason { ...Days } } }
fragment Days on EligibilityReason { barsFrom resumed }"""


def _reason(starts: str, bars: str, resumed: bool, ends: str, via: str | None) -> dict[str, Any]:
    return {
        "sanctionId": "city-2022-001",
        "startsOn": starts,
        "barsFrom": bars,
        "resumed": resumed,
        "endsOn": ends,
        "viaVendorId": via,
    }


# B's own bar, from its sanction's first day; the subsidiary's, from the affiliation's start.
OWN = _reason(case_b.SUSPENSION_START, case_b.SUSPENSION_START, False, "2024-01-08", None)
THROUGH = _reason(case_b.SUSPENSION_START, AFFILIATED_ON, False, "2024-01-08", case_b.VENDOR)
# After the gap (2024-01-09 to 2024-01-31), each a bar of its own from 2024-02-01.
OWN_RESUMED = _reason(case_b.SUSPENSION_START, RESUMED_ON, True, "2024-07-08", None)
THROUGH_RESUMED = {**OWN_RESUMED, "viaVendorId": case_b.VENDOR}


@pytest.fixture
async def recorded(pool: asyncpg.Pool) -> None:
    await apply(
        pool,
        case_b.registered(),
        case_b.subsidiary(),
        case_b.suspended(covers_affiliates=True),
        case_b.owned_by_b(effective_on=AFFILIATED_ON),
        case_b.amended(
            effective_on=RESUMED_ON, duration_months=24, policy_override_reason="new findings"
        ),
    )


@pytest.mark.usefixtures("recorded")
async def test_a_bar_through_an_affiliation_begins_on_the_affiliation_s_start(
    pool: asyncpg.Pool,
) -> None:
    sub = (await execute(pool, ONE, v=SUBSIDIARY, d=AFFILIATED_ON))["bidEligibility"]
    assert sub["reasons"] == [THROUGH]
    # The bar to come after the gap begins on its own first day, as upcoming ones do.
    assert sub["upcoming"] == [{**THROUGH_RESUMED, "startsOn": RESUMED_ON}]
    own = (await execute(pool, ONE, v=case_b.VENDOR, d=AFFILIATED_ON))["bidEligibility"]
    assert own["reasons"] == [OWN]
    many = await execute(pool, MANY, v=[SUBSIDIARY, case_b.VENDOR], d=AFFILIATED_ON)
    assert [a["reasons"] for a in many["bidEligibilityMany"]] == [[THROUGH], [OWN]]


@pytest.mark.usefixtures("recorded")
async def test_a_bar_after_a_gap_begins_after_it_and_says_it_resumed(
    pool: asyncpg.Pool,
) -> None:
    day = "2024-03-01"
    own = (await execute(pool, ONE, v=case_b.VENDOR, d=day))["bidEligibility"]
    assert own["reasons"] == [OWN_RESUMED]
    assert own["upcoming"] == []
    sub = (await execute(pool, ONE, v=SUBSIDIARY, d=day))["bidEligibility"]
    assert sub["reasons"] == [THROUGH_RESUMED]
    bidders = [{"ref": "1", "vendorId": case_b.VENDOR}, {"ref": "2", "vendorId": SUBSIDIARY}]
    screened = (await execute(pool, SCREEN, b=bidders, d=day))["screenBidders"]
    assert [(s["status"], s["eligibility"]["reasons"]) for s in screened] == [
        ("BARRED", [OWN_RESUMED]),
        ("BARRED", [THROUGH_RESUMED]),
    ]


@pytest.mark.usefixtures("recorded")
async def test_the_bar_s_days_are_answered_in_fragments_and_by_a_known_query_s_plan(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worked out only when asked (`bar_days_asked`): asked in a fragment inside an inline
    fragment, and in a plain document, which a known query's plan answers the second time."""
    day = "2024-03-01"
    answer = await execute(pool, IN_FRAGMENTS, v=SUBSIDIARY, d=day)
    assert answer["bidEligibility"]["reasons"] == [
        {"sanctionId": "city-2022-001", "barsFrom": RESUMED_ON, "resumed": True}
    ]
    planned: list[bool] = []
    run = QueryPlan.run

    async def watched(self: QueryPlan, *args: Any) -> Any:
        result = await run(self, *args)
        planned.append(result is not None)
        return result

    monkeypatch.setattr(QueryPlan, "run", watched)
    request = {"query": ONE, "variables": {"v": SUBSIDIARY, "d": AFFILIATED_ON}}
    async with asgi_client(pool) as client:
        for _ in range(2):
            response = await client.post(
                "/graphql", json=request, headers={"authorization": f"Bearer {token()}"}
            )
            assert response.json()["data"]["bidEligibility"]["reasons"] == [THROUGH]
    assert planned == [True]


@pytest.mark.usefixtures("recorded")
async def test_a_screen_that_does_not_show_the_bar_s_days_does_not_work_them_out(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding them walks each barring sanction's changes: a screen of 5,000 bidders that
    does not show them (most do not) is spared that."""
    asked: list[bool] = []

    def watched(*args: Any, with_bars_from: bool = True, **kwargs: Any) -> Eligibility:
        asked.append(with_bars_from)
        return evaluate(*args, with_bars_from=with_bars_from, **kwargs)

    monkeypatch.setattr(screening, "evaluate", watched)
    plain = "sanctionId startsOn endsOn viaVendorId"
    day = "2024-03-01"
    await execute(pool, ONE.replace(BAR, plain), v=SUBSIDIARY, d=day)
    await execute(pool, MANY.replace(BAR, plain), v=[SUBSIDIARY], d=day)
    await execute(pool, SCREEN.replace(BAR, plain), b=[{"ref": "1", "vendorId": SUBSIDIARY}], d=day)
    assert asked and not any(asked)
    asked.clear()
    await execute(pool, ONE, v=SUBSIDIARY, d=day)
    await execute(pool, SCREEN, b=[{"ref": "1", "vendorId": SUBSIDIARY}], d=day)
    assert asked and all(asked)
