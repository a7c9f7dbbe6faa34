"""A refused input is told in words its form's user can mend it by, beside the field it is
about (real PostgreSQL, the whole API in process): not a pattern, not a length of a blank
name, not a date where a moment is asked, and an enum's refusal lists its values."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.support import case_b, in_process_api
from tests.support.event_examples import sanction_input
from tests.support.principals import ADMIN
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

REGISTER = """mutation ($v: ID!, $p: VendorRegisteredInput!) {
  registerVendor(vendorId: $v, payload: $p) { accepted errors { field message code } }
}"""
IMPOSE = """mutation ($v: ID!, $p: SanctionImposedInput!) {
  imposeSanction(vendorId: $v, payload: $p) { accepted errors { field message code } }
}"""


async def refusal(pool: asyncpg.Pool, query: str, **variables: Any) -> list[dict[str, Any]]:
    answer = await in_process_api.execute(pool, query, ADMIN, "192.0.2.10", **variables)
    (receipt,) = answer.values()
    assert not receipt["accepted"]
    return list(receipt["errors"])


@pytest.mark.parametrize(
    ("vendor_id", "payload", "error"),
    [
        (
            "v-1",
            {"legalName": "   "},
            ("payload.legalName", "must not be blank (it has only spaces)", "string_too_short"),
        ),
        (
            "a" * 129,
            {"legalName": "株式会社A"},
            ("vendorId", "give at most 128 characters; it has 129", "string_too_long"),
        ),
        (
            "a b",
            {"legalName": "株式会社A"},
            (
                "vendorId",
                "give letters A–Z or a–z, digits and . _ : - only (no spaces), starting with a"
                " letter or a digit",
                "string_pattern_mismatch",
            ),
        ),
        (
            "v-1",
            {"legalName": "株式会社A", "country": "Japan"},
            (
                "payload.country",
                "give a two-letter ISO 3166-1 code such as JP (capitals)",
                "string_pattern_mismatch",
            ),
        ),
        (
            "v-1",
            {"legalName": "株式\x00会社A"},
            (
                "payload.legalName",
                "contains a NUL character (U+0000), which cannot be stored: remove it",
                "string_pattern_mismatch",
            ),
        ),
    ],
    ids=["blank", "long-id", "id-alphabet", "country", "nul"],
)
async def test_a_text_the_contract_refuses_is_told_what_to_give(
    pool: asyncpg.Pool, vendor_id: str, payload: dict[str, Any], error: tuple[str, str, str]
) -> None:
    # They said "String should have at least 1 character" (of three spaces), or the pattern.
    errors = await refusal(pool, REGISTER, v=vendor_id, p=payload)
    assert [(e["field"], e["message"], e["code"]) for e in errors] == [error]


def imposition(**changes: Any) -> dict[str, Any]:
    """The case's suspension (decided 2022-07-08, serious: 2–18 months) as GraphQL input."""
    payload = sanction_input(case_b.suspended(**changes)["payload"])
    return payload | {"kind": str(payload["kind"]).upper()}


async def test_a_departure_from_the_policy_is_told_beside_the_field_that_departs(
    pool: asyncpg.Pool,
) -> None:
    # Both were told at `payload`, where a form could attach them to none of its inputs.
    await apply(pool, case_b.registered())
    late = await refusal(pool, IMPOSE, v=case_b.VENDOR, p=imposition(starts_on="2027-03-01"))
    assert [(e["field"], e["code"]) for e in late] == [("payload.startsOn", "outside_policy")]
    assert late[0]["message"].startswith("starting on 2027-03-01 is outside")
    long = await refusal(pool, IMPOSE, v=case_b.VENDOR, p=imposition(duration_months=24))
    assert [(e["field"], e["code"]) for e in long] == [
        ("payload.period.durationMonths", "outside_policy")
    ]
    assert long[0]["message"].startswith("24 months is outside")
    # Both at once: no one field is the problem.
    both = await refusal(
        pool, IMPOSE, v=case_b.VENDOR, p=imposition(starts_on="2027-03-01", duration_months=24)
    )
    assert [e["field"] for e in both] == ["payload"]


async def test_a_date_given_for_a_moment_and_an_unknown_enum_value_say_what_to_give(
    pool: asyncpg.Pool,
) -> None:
    known = '{ bidEligibility(vendorId: "v", knownAt: "2022-07-08") { eligible } }'
    with pytest.raises(AssertionError) as day:
        await in_process_api.execute(pool, known, ADMIN, "192.0.2.10")
    assert (
        "2022-07-08, a date without a time: give a timestamp with its UTC offset,"
        " e.g. 2022-07-08T00:00:00+09:00" in str(day.value)
    )
    award = """mutation ($c: Criticality!) { awardContract(vendorId: "v", payload: {
      contractId: "c", agency: "a", title: "t", category: "c", criticality: $c,
      awardedOn: "2022-01-01", startsOn: "2022-01-01", endsOn: "2023-01-01", amount: 1,
      currency: "JPY"}) { accepted } }"""
    with pytest.raises(AssertionError) as enum:
        await in_process_api.execute(pool, award, ADMIN, "192.0.2.10", c="HIGH")
    assert (
        "Value 'HIGH' does not exist in 'Criticality' enum. Give one of RESIDENT_FACING,"
        " LEGALLY_MANDATED, INTERNAL." in str(enum.value)
    )
