"""The API's receipt for an event about a vendor's records, through `submitEvent` (its problems
named as the registry names them, snake_case) or the event's own typed mutation (camelCase,
as a form sends it), or the one receipt of any mutation sent by an admin (`receipt`), on a real
PostgreSQL; and how many events the log holds."""

from __future__ import annotations

import enum
from typing import Any, get_args

import asyncpg

from services.events.base import Payload
from services.gateway.recording.recorded_events import RECORDED_BY_PEOPLE
from services.platform.security.auth import Principal
from tests.support.event_examples import graphql_input
from tests.support.in_process_api import execute
from tests.support.principals import ADMIN

RECEIPT = "{ accepted errors { field message code } }"
# Event type → the typed mutation that records it.
MUTATIONS = {kind.event_type: name for name, kind in RECORDED_BY_PEOPLE.items()}


async def receipt(pool: asyncpg.Pool, query: str, **variables: Any) -> dict[str, Any]:
    answer = await execute(pool, query, ADMIN, **variables)
    (receipt,) = answer.values()
    assert isinstance(receipt, dict)
    return receipt


async def submitted(pool: asyncpg.Pool, event: dict[str, Any]) -> dict[str, Any]:
    """`submitEvent`'s receipt for the event, sent by an admin."""
    query = f"mutation ($event: JSON!) {{ submitEvent(event: $event) {RECEIPT} }}"
    answer = await execute(pool, query, ADMIN, event=event)
    found: dict[str, Any] = answer["submitEvent"]
    return found


async def typed(
    pool: asyncpg.Pool, event: dict[str, Any], principal: Principal = ADMIN
) -> dict[str, Any]:
    """The typed mutation's receipt for the event's payload, sent by `principal`."""
    name = MUTATIONS[event["event_type"]]
    kind = RECORDED_BY_PEOPLE[name]
    query = (
        f"mutation ($vendorId: ID!, $payload: {kind.__name__}Input!) {{"
        f" {name}(vendorId: $vendorId, payload: $payload) {RECEIPT} }}"
    )
    payload = graphql_input(_enums_named(kind, event["payload"]))
    answer = await execute(pool, query, principal, vendorId=event["vendor_id"], payload=payload)
    found: dict[str, Any] = answer[name]
    return found


def _enums_named(kind: type[Payload], payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with its enumerations' values as GraphQL names them (`DATA_LOSS`)."""

    def named(name: str, value: Any) -> Any:
        annotation = kind.model_fields[name].annotation
        types = (annotation, *get_args(annotation))
        if not any(isinstance(t, type) and issubclass(t, enum.Enum) for t in types):
            return value
        return [v.upper() for v in value] if isinstance(value, list) else value.upper()

    return {name: named(name, value) for name, value in payload.items()}


def codes(receipt: dict[str, Any]) -> list[tuple[str, str]]:
    """Each problem's field and code."""
    return [(e["field"], e["code"]) for e in receipt["errors"]]


async def logged(pool: asyncpg.Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM event_store")
    return count
