"""Queries over the API's limits are refused with a clear error before any resolver runs."""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route
from starlette.types import Message

from services.gateway.http import protection
from services.gateway.http.protection import Limits, RequestLimits
from services.gateway.schema import build_schema
from tests.support.kept_logs import kept_logs
from tests.support.principals import bare_context

OPERATIONS = {
    path.name: path.read_text(encoding="utf-8")
    for path in sorted(
        (pathlib.Path(__file__).resolve().parents[2] / "graphql" / "operations").glob("*.graphql")
    )
}


async def _errors(query: str, limits: Limits) -> list[str]:
    result = await build_schema(limits).execute(query, context_value=bare_context())
    return [error.message for error in result.errors or []]


async def test_a_query_too_deep_is_refused() -> None:
    deep = "{ vendor(vendorId: 1) { riskScore { factors { evidence { eventIds } } } } }"
    (message,) = await _errors(deep, Limits(max_depth=3))
    assert "exceeds maximum operation depth of 3" in message


async def test_too_many_aliases_are_refused() -> None:
    aliased = "{ " + " ".join(f"a{i}: deadLetters {{ totalCount }}" for i in range(31)) + " }"
    (message,) = await _errors(aliased, Limits())
    assert "aliases found. Allowed: 30" in message


async def test_a_document_over_the_token_budget_is_refused() -> None:
    ids = ", ".join(f'"v{i}"' for i in range(11_000))  # commas are not tokens in GraphQL
    huge = f"{{ bidEligibilityMany(vendorIds: [{ids}]) {{ eligible }} }}"
    (message,) = await _errors(huge, Limits())
    assert "Document contains more than 10000 tokens" in message


async def test_introspection_can_be_switched_off() -> None:
    introspect = "{ __schema { queryType { name } } }"
    assert await _errors(introspect, Limits(introspection=True)) == []
    refused = await _errors(introspect, Limits(introspection=False))
    assert refused and all("introspection has been disabled" in m for m in refused)


QUERIES = [name for name, text in OPERATIONS.items() if "subscription " not in text]


@pytest.mark.parametrize("name", QUERIES)
async def test_the_documented_operations_are_within_the_limits(name: str) -> None:
    # Without a database the resolvers fail; what matters is that no limit refused it.
    for message in await _errors(OPERATIONS[name], Limits()):
        assert "depth" not in message and "aliases" not in message and "tokens" not in message


def _guarded(limits: Limits) -> httpx.AsyncClient:
    async def slow(request: Request) -> JSONResponse:
        await asyncio.sleep(float(request.query_params.get("sleep", "0")))
        return JSONResponse({"ok": True})

    app = RequestLimits(Starlette(routes=[Route("/", slow, methods=["GET", "POST"])]), limits)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api")


async def test_a_body_over_the_size_limit_is_refused() -> None:
    async with _guarded(Limits(max_body_bytes=100)) as client:
        refused = await client.post("/", content=b"x" * 101)
        accepted = await client.post("/", content=b"x" * 100)
    assert refused.status_code == 413
    assert refused.json() == {
        "errors": [
            {"message": "request body over 100 bytes", "extensions": {"code": "REQUEST_TOO_LARGE"}}
        ]
    }
    assert accepted.status_code == 200


async def test_an_answer_cut_off_by_the_time_limit_is_said_naming_the_request() -> None:
    """Begun, the answer cannot become a 504: its connection is closed, which uvicorn logs
    as an ERROR naming no request (an operator's soak test: 13 such lines, no path)."""

    async def stream() -> AsyncIterator[bytes]:
        yield b"["
        await asyncio.sleep(2)
        yield b"]"

    async def exported(_: Request) -> StreamingResponse:
        return StreamingResponse(stream(), media_type="application/json")

    app = RequestLimits(Starlette(routes=[Route("/export", exported)]), Limits(request_seconds=0.2))
    sent: list[Message] = []

    requested = False

    async def receive() -> Message:
        """The request, then nothing more (a client still connected, reading slowly)."""
        nonlocal requested
        if requested:
            await asyncio.Event().wait()
        requested = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/export", "headers": [], "query_string": b""}
    with kept_logs(protection.__name__) as kept:
        await app(scope, receive, send)
    # Begun, and left unfinished: the server closes the connection on it.
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[-1].get("more_body") is True
    assert kept.messages == [
        "GET /export: its answer was cut off 0.2 s into the request (read too slowly, or too"
        " long to send within the limit); its connection is closed"
    ]


async def test_a_request_over_the_time_limit_is_cut_off() -> None:
    async with _guarded(Limits(request_seconds=0.2)) as client:
        slow = await client.get("/", params={"sleep": "2"})
        fast = await client.get("/")
    assert slow.status_code == 504
    assert slow.json() == {
        "errors": [{"message": "request took over 0.2 s", "extensions": {"code": "TIMEOUT"}}]
    }
    assert fast.status_code == 200
