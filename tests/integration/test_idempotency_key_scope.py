"""Idempotency keys between system owners of different agencies (real PostgreSQL, the API in
process). Found by a security tester: two system owners with one subject (as `vendorwatch
token create --role system_owner` gives every one) shared keys, so 税務課's owner sending
市民課's award again under 市民課's owner's key was answered accepted with that event's id
(the agency check skipped on the replay), and reusing the key for its own award was told
which event the other agency had recorded under it."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.platform.security.auth import Principal, Role
from tests.support import case_b
from tests.support.in_process_api import execute
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

SHIMIN = Principal("cli-system_owner", Role.SYSTEM_OWNER, ("市民課",))
ZEIMU = Principal("cli-system_owner", Role.SYSTEM_OWNER, ("税務課",))
AWARD = """mutation ($agency: String!, $contractId: ID!) {
  awardContract(vendorId: "vendor-b", idempotencyKey: "key-1", payload: {
      contractId: $contractId, agency: $agency, title: "t", category: "information_systems",
      criticality: RESIDENT_FACING, awardedOn: "2021-03-15", startsOn: "2021-04-01",
      endsOn: "2026-03-31", amount: 1000, currency: "JPY"}) {
    accepted eventId errors { field message code } } }"""


async def award(pool: asyncpg.Pool, who: Principal, agency: str, contract: str) -> Any:
    answer = await execute(pool, AWARD, who, agency=agency, contractId=contract)
    return answer["awardContract"]


async def test_keys_are_not_shared_between_agencies(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered())
    first = await award(pool, SHIMIN, "市民課", "c-shimin-2")
    assert first["accepted"]
    # The same request from the other agency's owner: refused for the agency, not replayed.
    again = await award(pool, ZEIMU, "市民課", "c-shimin-2")
    assert (again["accepted"], again["eventId"]) == (False, None)
    assert [e["code"] for e in again["errors"]] == ["not_your_agency"]
    # Its own award under the same key is its own event, told nothing of the other's.
    own = await award(pool, ZEIMU, "税務課", "c-zeimu-2")
    assert own["accepted"] and own["eventId"] != first["eventId"], own
    # And each owner's retry is still answered with its own event.
    assert await award(pool, SHIMIN, "市民課", "c-shimin-2") == first
    assert await award(pool, ZEIMU, "税務課", "c-zeimu-2") == own
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 2
