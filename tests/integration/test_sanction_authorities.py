"""The sanction authorities a form offers (`sanctionAuthorities`): those with a suspension
policy, with its grounds and ranges, and those named by recorded sanctions, never a policy's
authority written otherwise (real PostgreSQL, the API's schema in-process)."""

from __future__ import annotations

import dataclasses

import asyncpg
import pytest

from services.platform.security.auth import Principal, Role
from tests.support import case_b
from tests.support.in_process_api import SCHEMA, execute, shared_context
from tests.support.principals import ADMIN
from tests.support.registry_db import apply, rejection

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


async def test_a_policys_authority_written_otherwise_is_refused_not_listed_again(
    pool: asyncpg.Pool,
) -> None:
    # "City Procurement Office" escaped the policy's range (36 months for 1–9) and was offered
    # as a second authority without a policy; the registry now refuses it, saying how to write it.
    await apply(pool, case_b.registered())
    for written in (
        "City Procurement Office",
        "ＣＩＴＹ procurement office",
        "City  procurement office",
    ):
        sanction = case_b.suspended(
            sanction_id=f"s-{len(written)}",
            authority=written,
            duration_months=36,
            grounds=["breach_of_contract"],
            serious=False,
        )
        reason = await rejection(pool, sanction)
        assert reason.startswith(f"payload.authority: {written!r} names the suspension policy")
        assert reason.endswith(f"write it as its policy does: {POLICY_AUTHORITY!r}")
    answer = await execute(pool, AUTHORITIES)
    assert [(a["name"], a["sanctionsRecorded"]) for a in answer["sanctionAuthorities"]] == [
        (POLICY_AUTHORITY, 0)
    ]


async def test_a_proposal_for_the_authority_written_otherwise_says_how_to_write_it(
    pool: asyncpg.Pool,
) -> None:
    propose = """query ($authority: String!) { proposeSuspension(authority: $authority,
      grounds: ["breach_of_contract"], serious: false, decidedOn: "2022-07-08") { maxMonths } }"""
    context = dataclasses.replace(shared_context(pool), principal=ADMIN)
    for written, hint in [
        ("city procurement office", f"write it as its policy does: {POLICY_AUTHORITY!r}"),
        ("Prefecture public works", f"known: {POLICY_AUTHORITY}"),
    ]:
        result = await SCHEMA.execute(
            propose, variable_values={"authority": written}, context_value=context
        )
        assert result.errors is not None
        (error,) = result.errors
        assert error.message == f"authority: no suspension policy for {written!r}; {hint}"
