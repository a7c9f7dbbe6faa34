"""The API's receipt for an event about a vendor's records, through `submitEvent` (its problems
named as the registry names them, snake_case) or the event's own typed mutation (camelCase,
as a form sends it), on a real PostgreSQL; and how many events the log holds."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.gateway.recording.recorded_events import RECORDED_BY_PEOPLE
from services.platform.security.auth import Principal
from tests.support.event_examples import graphql_input
from tests.support.in_process_api import execute
from tests.support.principals import ADMIN

RECEIPT = "{ accepted errors { field message code } }"
# Event type → the typed mutation that records it.
MUTATIONS = {kind.event_type: name for name, kind in RECORDED_BY_PEOPLE.items()}


async def submitted(pool: asyncpg.Pool, event: dict[str, Any]) -> dict[str, Any]:
    """`submitEvent`'s receipt for the event, sent by an admin."""
    query = f"mutation ($event: JSON!) {{ submitEvent(event: $event) {RECEIPT} }}"
    answer = await execute(pool, query, ADMIN, event=event)
    found: dict[str, Any] = answer["submitEvent"]
    return found


async def typed(
    pool: asyncpg.Pool, event: dict[str, Any], principal: Principal = ADMIN
) -> dict[str, Any]:
    """The typed mutation's receipt for the event's payload (one without enumerations, which
    GraphQL writes otherwise), sent by `principal`."""
    name = MUTATIONS[event["event_type"]]
    kind = RECORDED_BY_PEOPLE[name]
    query = (
        f"mutation ($vendorId: ID!, $payload: {kind.__name__}Input!) {{"
        f" {name}(vendorId: $vendorId, payload: $payload) {RECEIPT} }}"
    )
    payload = graphql_input(event["payload"])
    answer = await execute(pool, query, principal, vendorId=event["vendor_id"], payload=payload)
    found: dict[str, Any] = answer[name]
    return found


def codes(receipt: dict[str, Any]) -> list[tuple[str, str]]:
    """Each problem's field and code."""
    return [(e["field"], e["code"]) for e in receipt["errors"]]


async def logged(pool: asyncpg.Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM event_store")
    return count
