"""A graphql-transport-ws message the protocol cannot read closes the socket with 4400 and
the reason, as a frame that is not JSON does: never a dropped socket and a traceback (the
whole ASGI app in-process, on a real PostgreSQL)."""

from __future__ import annotations

import json
import logging
from typing import Any

import asyncpg
import pytest
from httpx_ws import WebSocketDisconnect

from tests.support.in_process_api import graphql_socket
from tests.support.principals import token

pytestmark = pytest.mark.postgres

QUERY = "{ riskiestVendors(first: 1) { vendorId } }"


async def _closed_by(pool: asyncpg.Pool, frame: str) -> tuple[int, str | None]:
    """The close code and reason the API answers `frame` with, sent after connection_ack."""
    async with graphql_socket(pool) as socket:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token()}"}}
        await socket.send_json(init)
        assert (await socket.receive_json(timeout=10))["type"] == "connection_ack"
        await socket.send_text(frame)
        with pytest.raises(WebSocketDisconnect) as closed:
            await socket.receive_text(timeout=10)
    return closed.value.code, closed.value.reason


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ([1], "WebSocket message must be a JSON object"),
        (5, "WebSocket message must be a JSON object"),
        ("x", "WebSocket message must be a JSON object"),
        (None, "WebSocket message must be a JSON object"),
        ({"id": "1", "type": "subscribe", "payload": 5}, "subscribe: payload must be an object"),
        (
            {"id": ["1"], "type": "subscribe", "payload": {"query": QUERY}},
            "subscribe: id must be a string",
        ),
        ({"id": {}, "type": "complete"}, "complete: id must be a string"),
        ({"type": 7}, "Unknown message type: 7"),
    ],
    ids=["list", "number", "string", "null", "payload", "subscribe-id", "complete-id", "type"],
)
async def test_a_message_the_protocol_cannot_read_closes_with_4400(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture, message: Any, reason: str
) -> None:
    with caplog.at_level(logging.INFO):
        closed = await _closed_by(pool, json.dumps(message))
    assert closed == (4400, reason)
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_frame_that_is_not_json_still_closes_with_4400(pool: asyncpg.Pool) -> None:
    assert await _closed_by(pool, "{not json") == (4400, "WebSocket message must be valid JSON")


async def test_several_operations_without_a_name_close_with_4400(pool: asyncpg.Pool) -> None:
    """As strawberry closes for an unknown operation name: the first operation was run."""
    query = f"query A {QUERY} query B {{ __typename }}"
    subscribe = {"id": "1", "type": "subscribe", "payload": {"query": query}}
    assert await _closed_by(pool, json.dumps(subscribe)) == (
        4400,
        "Must provide operation name if query contains multiple operations.",
    )
