"""A document is validated once, but who sends it is checked every time: the same text, sent
by callers with different roles, agencies and variables, gets each caller's own answer, in
whatever order they come (over HTTP, on the whole ASGI app and a real PostgreSQL)."""

from __future__ import annotations

import asyncpg
import pytest

from services.platform.security.auth import Role
from tests.support.in_process_api import over_http
from tests.support.principals import token

pytestmark = pytest.mark.postgres

MINE, THEIRS = "市民課", "税務課"
EVENTS = "{ auditTrail(first: 1) { edges { cursor } } }"
CONTRACTS = "query ($agency: String) { contracts(agency: $agency, first: 1) { totalCount } }"
DEFAULTED = (
    'query ($agency: String = "税務課") { contracts(agency: $agency, first: 1) { totalCount } }'
)


def _errors(answer: dict[str, object]) -> list[str]:
    return [e["message"] for e in answer.get("errors", [])]  # type: ignore[attr-defined]


async def test_the_role_is_checked_on_every_request(pool: asyncpg.Pool) -> None:
    auditor, officer = token(Role.AUDITOR), token(Role.PROCUREMENT_OFFICER)
    assert _errors(await over_http(pool, auditor, EVENTS)) == []
    assert _errors(await over_http(pool, officer, EVENTS)) == [
        "role procurement_officer may not use auditTrail"
    ]
    assert _errors(await over_http(pool, auditor, EVENTS)) == []


async def test_the_agency_is_checked_on_every_request_and_its_variables(
    pool: asyncpg.Pool,
) -> None:
    owner = token(Role.SYSTEM_OWNER, (MINE,))
    refused = f"agency {THEIRS!r} is not one of your agencies ({MINE})"
    assert _errors(await over_http(pool, owner, CONTRACTS, agency=MINE)) == []
    assert _errors(await over_http(pool, owner, CONTRACTS, agency=THEIRS)) == [refused]
    assert _errors(await over_http(pool, token(Role.ADMIN), CONTRACTS, agency=THEIRS)) == []
    assert _errors(await over_http(pool, owner, CONTRACTS, agency=MINE)) == []
    # A variable left out takes the operation's default, request after request.
    assert _errors(await over_http(pool, owner, DEFAULTED)) == [refused]
    assert _errors(await over_http(pool, owner, DEFAULTED, agency=MINE)) == []
    assert _errors(await over_http(pool, owner, DEFAULTED)) == [refused]


async def test_an_invalid_document_is_refused_every_time(pool: asyncpg.Pool) -> None:
    admin = token(Role.ADMIN)
    for _ in range(2):
        errors = _errors(await over_http(pool, admin, "{ registeredVendors { nope } }"))
        assert errors == ["Cannot query field 'nope' on type 'VendorConnection'."], errors
