"""The sanction authorities a form offers (`sanctionAuthorities`): those with a suspension
policy, with its grounds and ranges, and those named by recorded sanctions (real PostgreSQL,
the API's schema in-process)."""

from __future__ import annotations

import asyncpg
import pytest

from services.platform.security.auth import Principal, Role
from tests.support import case_b
from tests.support.in_process_api import execute
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

AUTHORITIES = """{ sanctionAuthorities { name sanctionsRecorded
  policy { version daysAfterDecision aggravationFactor
    grounds { code labelJa labelEn minMonths maxMonths } } } }"""
POLICY_AUTHORITY = "City procurement office"


async def test_the_policy_is_offered_with_its_grounds_before_any_sanction(
    pool: asyncpg.Pool,
) -> None:
    (authority,) = (await execute(pool, AUTHORITIES))["sanctionAuthorities"]
    assert (authority["name"], authority["sanctionsRecorded"]) == (POLICY_AUTHORITY, 0)
    policy = authority["policy"]
    assert (policy["daysAfterDecision"], policy["aggravationFactor"]) == (1, 2)
    grounds = {ground["code"]: ground for ground in policy["grounds"]}
    assert grounds["breach_of_contract"] == {
        "code": "breach_of_contract",
        "labelJa": "契約違反",
        "labelEn": "Breach of contract",
        "minMonths": 1,
        "maxMonths": 9,
    }
    assert (grounds["bribery"]["minMonths"], grounds["bribery"]["maxMonths"]) == (3, 12)


async def test_an_authority_without_a_policy_is_offered_once_it_imposed_a_sanction(
    pool: asyncpg.Pool,
) -> None:
    await apply(
        pool,
        case_b.registered(),
        case_b.suspended(),
        case_b.suspended(sanction_id="pref-2023-004", authority="Prefecture public works"),
    )
    answer = await execute(pool, AUTHORITIES, Principal("viewer", Role.VIEWER, ()))
    assert [
        (a["name"], a["sanctionsRecorded"], a["policy"] is not None)
        for a in answer["sanctionAuthorities"]
    ] == [(POLICY_AUTHORITY, 1, True), ("Prefecture public works", 1, False)]
