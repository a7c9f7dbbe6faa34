"""Tokens a client cannot be served with are refused as such, over HTTP (401) and at a
WebSocket's connection_init (close 4401), however they are malformed: never a 500 with a
traceback, or a socket dropped without a code (the whole ASGI app, on a real PostgreSQL)."""

from __future__ import annotations

import base64
import json

import asyncpg
import pytest
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws

from tests.support.in_process_api import asgi_client, asgi_websocket_client

pytestmark = pytest.mark.postgres


def _part(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def _with_header(header: dict[str, object]) -> str:
    """A token of this header, empty claims and a signature of nothing."""
    return f"{_part(header)}.{_part({})}.AAAA"


HEADERS = [
    ({"alg": "HS256", "kid": 5}, "Key ID header parameter must be a string"),
    ({"alg": "HS256", "crit": ["x"]}, "Unsupported critical extension: x"),
    ({"alg": "HS256", "crit": "x"}, "Invalid 'crit' header: must be a non-empty list"),
    ({"alg": "HS256", "crit": []}, "Invalid 'crit' header: must be a non-empty list"),
]
IDS = ["kid-number", "crit-unknown", "crit-string", "crit-empty"]


@pytest.mark.parametrize(("header", "said"), HEADERS, ids=IDS)
async def test_a_header_pyjwt_refuses_is_a_401(
    pool: asyncpg.Pool, header: dict[str, object], said: str
) -> None:
    async with asgi_client(pool) as client:
        answer = await client.post(
            "/graphql",
            json={"query": "{ today }"},
            headers={"authorization": f"Bearer {_with_header(header)}"},
        )
    assert answer.status_code == 401, answer.text
    assert answer.json() == {
        "errors": [
            {
                "message": f"token header is not acceptable: {said}",
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ]
    }


@pytest.mark.parametrize(("header", "said"), HEADERS, ids=IDS)
async def test_a_header_pyjwt_refuses_closes_the_websocket_with_4401(
    pool: asyncpg.Pool, header: dict[str, object], said: str
) -> None:
    async with (
        asgi_websocket_client(pool) as client,
        aconnect_ws(
            "/graphql",
            client,
            subprotocols=["graphql-transport-ws"],
            session_class=AsyncWebSocketSession,
        ) as socket,
    ):
        bearer = f"Bearer {_with_header(header)}"
        await socket.send_json({"type": "connection_init", "payload": {"Authorization": bearer}})
        with pytest.raises(WebSocketDisconnect) as closed:
            await socket.receive_text(timeout=10)
    assert (closed.value.code, closed.value.reason) == (
        4401,
        f"token header is not acceptable: {said}",
    )
