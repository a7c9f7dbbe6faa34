"""A risk analyst asking for the risk of an id nobody registered is told so, as
`bidEligibility` tells it, not shown a score of 0, LOW, which is what a registered vendor with
a clean record gets: over HTTP on the whole app and a real PostgreSQL."""

from __future__ import annotations

import asyncpg
import pytest

from services.platform.graphql.nodes import encode
from tests.support import case_b
from tests.support.in_process_api import execute, over_http
from tests.support.principals import token
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

VENDOR = case_b.VENDOR
DAY = "2024-01-01"


async def test_the_risk_of_an_id_nobody_registered_is_refused_naming_it(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered())
    answer = await over_http(pool, token(), '{ riskScore(vendorId: "ghost") { score band } }')
    assert answer["data"] is None
    assert [(e["extensions"]["code"], e["message"], e["path"]) for e in answer["errors"]] == [
        ("BAD_USER_INPUT", "vendorId: unknown vendor 'ghost'", ["riskScore"])
    ]


async def test_a_registered_vendor_with_a_clean_record_is_still_scored(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered())
    clean = {"score": 0.0, "band": "LOW"}
    both = await execute(
        pool,
        f'{{ riskScore(vendorId: "{VENDOR}") {{ score band }}'
        f' vendor(vendorId: "{VENDOR}") {{ riskScore {{ score band }} }} }}',
    )
    assert both == {"riskScore": clean, "vendor": {"riskScore": clean}}


async def test_a_days_score_of_an_id_nobody_registered_is_no_node(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered())
    ids = [encode("RiskScore", ("ghost", DAY)), encode("RiskScore", (VENDOR, DAY))]
    found = await execute(
        pool,
        "query ($ids: [ID!]!) { nodes(ids: $ids) { ... on RiskScore { vendorId score } } }",
        ids=ids,
    )
    assert found == {"nodes": [None, {"vendorId": VENDOR, "score": 0.0}]}
