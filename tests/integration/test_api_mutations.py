"""The mutation path on a real PostgreSQL event log: typed mutations answer with receipts
(field errors a form can show, nothing written), and every recorded event says who recorded
it, from the verified caller, never from the input."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from services.platform.auth import Principal, Role
from tests.support import case_b, in_process_api
from tests.support.event_examples import VALID_PAYLOADS, graphql_input
from tests.support.principals import ADMIN

pytestmark = pytest.mark.postgres

OFFICER = Principal("officer@city", Role.SANCTION_AUTHORITY, ("市民課",))
IMPOSE = """
mutation ($vendorId: ID!, $payload: SanctionImposedInput!) {
  imposeSanction(vendorId: $vendorId, payload: $payload) {
    accepted eventId eventType vendorId errors { field message }
  }
}"""
SUBMIT = """
mutation ($event: JSON!) {
  submitEvent(event: $event) { accepted eventId errors { field message } }
}"""


async def execute(
    pool: asyncpg.Pool, query: str, principal: Principal = OFFICER, **variables: Any
) -> dict[str, Any]:
    return await in_process_api.execute(pool, query, principal, "192.0.2.10", **variables)


def sanction(**changes: Any) -> dict[str, Any]:
    """The case's suspension in the GraphQL input's names (camelCase, enum names)."""
    payload = graphql_input(VALID_PAYLOADS["sanction.imposed"] | changes)
    return payload | {"kind": str(payload["kind"]).upper()}


async def stored(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT envelope::text AS e FROM event_store ORDER BY position")
    return [json.loads(r["e"]) for r in rows]


async def test_a_valid_sanction_is_recorded_with_who_recorded_it(pool: asyncpg.Pool) -> None:
    answer = (await execute(pool, IMPOSE, vendorId=case_b.VENDOR, payload=sanction()))[
        "imposeSanction"
    ]
    assert answer["accepted"] and answer["errors"] == [] and answer["eventId"]
    (event,) = await stored(pool)
    assert event["event_id"] == answer["eventId"] and event["source"] == "vendorwatch.api"
    assert event["recorded_by"] == {
        "subject": "officer@city",
        "role": "sanction_authority",
        "agencies": ["市民課"],
        "client": "192.0.2.10",
    }


async def test_input_problems_come_back_per_field_and_nothing_is_written(
    pool: asyncpg.Pool,
) -> None:
    bad = sanction(ends_on="2021-01-01", duration_months=None)
    answer = (await execute(pool, IMPOSE, vendorId="bad id", payload=bad))["imposeSanction"]
    assert not answer["accepted"] and answer["eventId"] is None
    fields = {e["field"]: e["message"] for e in answer["errors"]}
    assert set(fields) == {"vendorId", "payload.endsOn"}
    assert "is before starts_on 2022-07-09" in fields["payload.endsOn"]
    assert await stored(pool) == []


async def test_a_period_outside_the_policy_is_a_field_error(pool: asyncpg.Pool) -> None:
    answer = (
        await execute(pool, IMPOSE, vendorId=case_b.VENDOR, payload=sanction(duration_months=24))
    )["imposeSanction"]
    assert not answer["accepted"]
    (error,) = answer["errors"]
    assert error["field"] == "payload" and "18" in error["message"]
    assert await stored(pool) == []


async def test_a_raw_event_cannot_claim_to_be_recorded_by_someone_else(pool: asyncpg.Pool) -> None:
    forged = case_b.suspended() | {
        "recorded_by": {"subject": "mayor", "role": "admin", "agencies": []}
    }
    answer = (await execute(pool, SUBMIT, ADMIN, event=forged))["submitEvent"]
    assert answer["accepted"], answer["errors"]
    (event,) = await stored(pool)
    assert event["recorded_by"]["subject"] == ADMIN.subject


async def test_a_raw_event_keeps_the_contracts_field_names_in_its_errors(
    pool: asyncpg.Pool,
) -> None:
    broken = case_b.suspended(ends_on="2021-01-01", duration_months=None)
    answer = (await execute(pool, SUBMIT, ADMIN, event=broken))["submitEvent"]
    assert [e["field"] for e in answer["errors"]] == ["payload.ends_on"]
