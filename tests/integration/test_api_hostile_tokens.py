"""Tokens a client cannot be served with are refused as such, over HTTP (401) and at a
WebSocket's connection_init (close 4401), however they are malformed: never a 500 with a
traceback, or a socket dropped without a code (the whole ASGI app, on a real PostgreSQL)."""

from __future__ import annotations

import base64
import json
import time

import asyncpg
import jwt
import pytest
from httpx_ws import WebSocketDisconnect

from tests.support.in_process_api import asgi_client, graphql_socket
from tests.support.principals import TEST_SECRET

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
    async with graphql_socket(pool) as socket:
        bearer = f"Bearer {_with_header(header)}"
        await socket.send_json({"type": "connection_init", "payload": {"Authorization": bearer}})
        with pytest.raises(WebSocketDisconnect) as closed:
            await socket.receive_text(timeout=10)
    assert (closed.value.code, closed.value.reason) == (
        4401,
        f"token header is not acceptable: {said}",
    )


def _signed(**changes: object) -> str:
    """A token of the tests' secret, a viewer's but for `changes`."""
    claims: dict[str, object] = {
        "iss": "vendorwatch",
        "aud": "vendorwatch-api",
        "sub": "someone",
        "exp": int(time.time()) + 3600,
        "role": "viewer",
        "agencies": [],
    }
    return jwt.encode(claims | changes, TEST_SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        (
            {"sub": "x" * 301},
            "token sub claim is not acceptable: give at most 300 characters; it has 301",
        ),
        (
            {"sub": "some\x00one"},
            "token sub claim is not acceptable: contains a NUL character (U+0000), which"
            " cannot be stored: remove it",
        ),
        (
            {"agencies": ["MOD\x00"]},
            "token agencies claim is not acceptable: contains a NUL character (U+0000),"
            " which cannot be stored: remove it",
        ),
        (
            {"exp": str(int(time.time()) + 3600)},
            "token exp claim must be a whole number of seconds since the epoch (a JSON"
            " integer, at most 253402300799), not '",
        ),
        (
            {"exp": 1e20},
            "token exp claim must be a whole number of seconds since the epoch (a JSON"
            " integer, at most 253402300799), not 1e+20",
        ),
    ],
    ids=["sub-long", "sub-nul", "agency-nul", "exp-string", "exp-huge"],
)
async def test_a_claim_the_system_cannot_use_is_refused_naming_it(
    pool: asyncpg.Pool, changes: dict[str, object], said: str
) -> None:
    """Accepted, such a token made every mutation (its subject recorded) or every read (a
    NUL reached PostgreSQL) an INTERNAL error."""
    async with asgi_client(pool) as client:
        answer = await client.post(
            "/graphql",
            json={"query": "{ registeredVendors { totalCount } }"},
            headers={"authorization": f"Bearer {_signed(**changes)}"},
        )
    assert answer.status_code == 401, answer.text
    (error,) = answer.json()["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert error["message"].startswith(said), error["message"]
