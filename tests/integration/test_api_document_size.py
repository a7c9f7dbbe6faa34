"""A GraphQL document's length is limited alike over HTTP and the WebSocket, and the documents
the API keeps (parses, their checks, plans, persisted queries) are bounded by what they hold,
not only by how many (uvicorn on a real port, as `up` and `api` serve the app, a real
PostgreSQL). Distinct documents padded with a comment had each cache keep 1,024 of them: a
viewer's 60 bodies of 1.9 MB kept 221 MB, for good; 10 MB WebSocket messages were taken."""

from __future__ import annotations

import gc
import hashlib
import tracemalloc
from typing import Any

import asyncpg
import httpx
import pytest
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws

from services.gateway.app import create_app
from services.gateway.http.protection import MAX_BODY_BYTES, Limits
from services.platform.security.auth import AuthConfig, Role, TokenVerifier
from tests.support.in_process_api import shared_context
from tests.support.principals import TEST_SECRET, token
from tests.support.served_api import served

pytestmark = pytest.mark.postgres

LIMIT = Limits().max_document_chars
GRAPHQL_RESPONSE = "application/graphql-response+json"


def _app(pool: asyncpg.Pool) -> Any:
    return create_app(shared_context(pool), TokenVerifier(AuthConfig(hs256_secret=TEST_SECRET)))


def _viewer() -> dict[str, str]:
    return {"authorization": f"Bearer {token(Role.VIEWER)}", "accept": GRAPHQL_RESPONSE}


def _padded(n: int, length: int) -> str:
    """A valid query made `length` characters long by one comment, distinct for each `n`."""
    head = f"{{ today }}\n#{n}"
    return head + "x" * (length - len(head))


def _refusal(length: int) -> dict[str, Any]:
    message = (
        f"the GraphQL document is {length:,} characters; the limit is {LIMIT:,}"
        " (send long lists as variables)"
    )
    return {"errors": [{"message": message, "extensions": {"code": "REQUEST_TOO_LARGE"}}]}


async def test_a_document_over_the_limit_is_refused_over_http_and_never_kept(
    pool: asyncpg.Pool,
) -> None:
    big = _padded(1, 1_900_000)
    digest = hashlib.sha256(big.encode()).hexdigest()
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    async with served(_app(pool)) as client:
        plain = await client.post("/graphql", json={"query": big}, headers=_viewer())
        registered = await client.post(
            "/graphql", json={"query": big, "extensions": persisted}, headers=_viewer()
        )
        by_hash = await client.post("/graphql", json={"extensions": persisted}, headers=_viewer())
        within = await client.post("/graphql", json={"query": _padded(2, LIMIT)}, headers=_viewer())
    assert (plain.status_code, plain.json()) == (400, _refusal(1_900_000))
    assert (registered.status_code, registered.json()) == (400, _refusal(1_900_000))
    # Refused, so not kept under its hash either.
    assert by_hash.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert within.status_code == 200, within.text
    assert set(within.json()["data"]) == {"today"}


async def _socket(client: httpx.AsyncClient) -> Any:
    return aconnect_ws(
        "/graphql",
        client,
        subprotocols=["graphql-transport-ws"],
        session_class=AsyncWebSocketSession,
    )


async def test_a_document_over_the_limit_is_refused_over_the_websocket_alike(
    pool: asyncpg.Pool,
) -> None:
    big = _padded(3, LIMIT + 1)
    async with served(_app(pool)) as client, await _socket(client) as socket:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token()}"}}
        await socket.send_json(init)
        assert (await socket.receive_json(timeout=10))["type"] == "connection_ack"
        await socket.send_json({"id": "big", "type": "subscribe", "payload": {"query": big}})
        refused = await socket.receive_json(timeout=10)
        # The socket goes on: the next operation on it is answered.
        await socket.send_json({"id": "2", "type": "subscribe", "payload": {"query": "{ today }"}})
        answered = await socket.receive_json(timeout=10)
    assert refused == {"id": "big", "type": "error", "payload": _refusal(LIMIT + 1)["errors"]}
    assert answered["id"] == "2" and set(answered["payload"]["data"]) == {"today"}


async def test_a_websocket_message_over_a_body_s_size_is_refused_by_the_server(
    pool: asyncpg.Pool,
) -> None:
    """uvicorn took messages of up to 16 MiB; parsing a 15 MB one held the loop 3.7 s."""
    async with served(_app(pool)) as client, await _socket(client) as socket:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token()}"}}
        await socket.send_json(init)
        assert (await socket.receive_json(timeout=10))["type"] == "connection_ack"
        query = _padded(4, MAX_BODY_BYTES + 1)
        await socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        with pytest.raises(WebSocketDisconnect) as closed:
            await socket.receive_json(timeout=10)
    assert closed.value.code == 1009  # message too big


async def test_distinct_documents_keep_a_bounded_memory(pool: asyncpg.Pool) -> None:
    """Each document below is within every limit, 20 KB of text, and its parse holds about
    1.9 MB (each of its 10,000 tokens, comments included, is an object of its own): kept by
    the count alone, 60 of them held over 110 MB, in each of the caches that kept them."""
    lines = "\n#" * 9_980

    def document(n: int) -> str:
        return f"{{ today }}{lines}\n#{n}"

    async with served(_app(pool)) as client:
        warm = await client.post("/graphql", json={"query": document(0)}, headers=_viewer())
        assert warm.status_code == 200, warm.text
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for n in range(1, 25):
                text = document(n)
                # Half of them kept as persisted queries too.
                digest = hashlib.sha256(text.encode()).hexdigest()
                extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
                body = {"query": text} | ({"extensions": extensions} if n % 2 else {})
                answer = await client.post("/graphql", json=body, headers=_viewer())
                assert answer.status_code == 200, answer.text
            gc.collect()
            held = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    # The budgets (32 MB for parses and for their checks) hold four such documents each, by
    # their weight's estimate (8 MB, four times what they hold).
    print("HELD", held)
    assert held < 24_000_000, f"{held:,} bytes held after 24 distinct documents"
