"""A subscription naming what is not there (a plan nobody opened, a vendor nobody registered,
an id no vendor can have) is refused at once, for every role and in the words of the queries
that name the same: it was acknowledged and then waited for events that could never come,
for every role but a system owner's (the whole ASGI app in-process over graphql-transport-ws,
on a real PostgreSQL)."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.platform.security.auth import Role
from tests.support import case_b
from tests.support.in_process_api import graphql_socket
from tests.support.principals import token
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres


async def _answers(pool: asyncpg.Pool, bearer: str, query: str) -> list[dict[str, Any]]:
    """The messages the API sends a subscription to `query`, up to one that ends it (a wait
    of more than 5 s for the next fails the test: the subscription hangs)."""
    async with graphql_socket(pool) as socket:
        await socket.send_json(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {bearer}"}}
        )
        assert (await socket.receive_json(timeout=10))["type"] == "connection_ack"
        await socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        messages = [await socket.receive_json(timeout=5)]
        while messages[-1]["type"] == "next":
            messages.append(await socket.receive_json(timeout=5))
    return messages


def _refused(message: str, field: str, column: int) -> list[dict[str, Any]]:
    """The protocol's `error` message, which ends the operation: the field's error, as the
    same refusal over HTTP is (its location, path and code)."""
    error = {
        "message": message,
        "locations": [{"line": 1, "column": column}],
        "path": [field],
        "extensions": {"code": "BAD_USER_INPUT"},
    }
    return [{"id": "1", "type": "error", "payload": [error]}]


@pytest.mark.parametrize(
    ("role", "agencies"),
    [(Role.ADMIN, ()), (Role.VIEWER, ()), (Role.SYSTEM_OWNER, ("市民課",))],
    ids=["admin", "viewer", "system_owner"],
)
async def test_following_a_plan_nobody_opened_is_refused_at_once(
    pool: asyncpg.Pool, role: Role, agencies: tuple[str, ...]
) -> None:
    query = 'subscription { migrationProgress(planId: "nope") { __typename } }'
    words = " of your agencies" if role is Role.SYSTEM_OWNER else ""
    assert await _answers(pool, token(role, agencies), query) == _refused(
        f"planId: no plan 'nope'{words}", "migrationProgress", 16
    )


@pytest.mark.parametrize("role", [Role.ADMIN, Role.VIEWER], ids=lambda r: r.value)
async def test_following_vendors_nobody_registered_is_refused_at_once(
    pool: asyncpg.Pool, role: Role
) -> None:
    await apply(pool, case_b.registered())
    eligibility = (
        'subscription { eligibilityChanges(vendorIds: ["vendor-b", "nobody", "bad id!"])'
        " { vendorId } }"
    )
    assert await _answers(pool, token(role), eligibility) == _refused(
        "vendorIds: unknown vendors 'nobody', 'bad id!'", "eligibilityChanges", 16
    )
    risk = 'subscription { riskUpdates(vendorIds: ["nobody"]) { vendorId } }'
    assert await _answers(pool, token(role), risk) == _refused(
        "vendorIds: unknown vendor 'nobody'", "riskUpdates", 16
    )
