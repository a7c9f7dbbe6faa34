"""The API's receipt refuses what the registry would refuse of a sanction event, in the
registry's words and with a code, before the log (real PostgreSQL): an authority written
otherwise than its suspension policy writes it. Nothing refused is written."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.support import case_b, in_process_api
from tests.support.event_examples import sanction_input
from tests.support.principals import ADMIN
from tests.support.registry_db import apply, rejection

pytestmark = pytest.mark.postgres

RECEIPT = "{ accepted errors { field message code } }"


def typed(mutation: str, input_type: str) -> str:
    return (
        f"mutation ($vendorId: ID!, $payload: {input_type}!) {{"
        f" {mutation}(vendorId: $vendorId, payload: $payload) {RECEIPT} }}"
    )


IMPOSE = typed("imposeSanction", "SanctionImposedInput")
CITY = "City procurement office"


async def receipt(pool: asyncpg.Pool, query: str, **variables: Any) -> dict[str, Any]:
    answer = await in_process_api.execute(pool, query, ADMIN, **variables)
    (receipt,) = answer.values()
    assert isinstance(receipt, dict)
    return receipt


async def logged(pool: asyncpg.Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM event_store")
    return count


def imposition(**changes: Any) -> dict[str, Any]:
    """The case's suspension (serious: 2–18 months) in the GraphQL input's names."""
    payload = sanction_input(case_b.suspended(**changes)["payload"])
    return payload | {"kind": str(payload["kind"]).upper()}


@pytest.mark.parametrize(
    "authority",
    ["City Procurement Office", "ＣＩＴＹ procurement office", "City  procurement office"],
)
async def test_an_authority_written_otherwise_than_its_policy_is_refused(
    pool: asyncpg.Pool, authority: str
) -> None:
    # 36 months for a breach of contract (1–9): under another spelling it escaped the policy.
    payload = imposition(
        authority=authority, duration_months=36, grounds=["breach_of_contract"], serious=False
    )
    answer = await receipt(pool, IMPOSE, vendorId=case_b.VENDOR, payload=payload)
    said = f"{authority!r} names the suspension policy of {CITY!r}; write it as its policy does:"
    assert answer == {
        "accepted": False,
        "errors": [
            {
                "field": "payload.authority",
                "message": f"{said} {CITY!r}",
                "code": "authority_spelling",
            }
        ],
    }
    # The registry says the same of such an event from any other producer.
    await apply(pool, case_b.registered())
    event = case_b.suspended(authority=authority)
    assert await rejection(pool, event) == f"payload.authority: {said} {CITY!r}"
    assert await logged(pool) == 0
