"""GraphQL over HTTP as its specification has it, on the whole ASGI app and a real PostgreSQL:
refusals are GraphQL JSON, the specification's media type with its status codes, GET for
queries, and automatic persisted queries."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.in_process_api import asgi_client
from tests.support.principals import token

pytestmark = pytest.mark.postgres

SPEC = "application/graphql-response+json"
QUERY = "{ riskiestVendors(first: 1) { vendorId } }"
SIGNED_IN = {"authorization": f"Bearer {token()}"}


async def _post(
    pool: asyncpg.Pool,
    body: Any,
    accept: str | None = None,
    client: httpx.AsyncClient | None = None,
) -> httpx.Response:
    headers = {**SIGNED_IN, "content-type": "application/json"}
    if accept:
        headers["accept"] = accept
    if client is not None:
        return await client.post("/graphql", content=json.dumps(body), headers=headers)
    async with asgi_client(pool) as fresh:
        return await fresh.post("/graphql", content=json.dumps(body), headers=headers)


def _message(response: httpx.Response) -> str:
    message: str = response.json()["errors"][0]["message"]
    return message


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ([{"query": QUERY}, {"query": QUERY}], 400, "Batching is not enabled"),
        ({"variables": {}}, 400, "No GraphQL query found"),
        ({"query": 7}, 400, "must be a string"),
    ],
)
async def test_every_refusal_is_graphql_json(
    pool: asyncpg.Pool, body: Any, status: int, says: str
) -> None:
    answer = await _post(pool, body)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/json")
    assert says in _message(answer)


async def test_a_wrong_method_or_body_type_is_refused_with_its_own_status(
    pool: asyncpg.Pool,
) -> None:
    async with asgi_client(pool) as client:
        put = await client.put("/graphql", json={"query": QUERY}, headers=SIGNED_IN)
        text = await client.post(
            "/graphql", content=json.dumps({"query": QUERY}), headers=SIGNED_IN
        )
    assert put.status_code == 405 and put.headers["allow"] == "GET, POST"
    assert "GET and POST" in _message(put)
    assert text.status_code == 415
    assert _message(text) == "a POST body must be application/json (Content-Type: none)"


async def test_the_specifications_media_type_and_status_for_a_request_error(
    pool: asyncpg.Pool,
) -> None:
    invalid = {"query": "{ riskiestVendors { nope } }"}
    spec = await _post(pool, invalid, accept=f"{SPEC}, application/json;q=0.9")
    assert spec.status_code == 400 and spec.headers["content-type"] == SPEC
    assert "data" not in spec.json() and "nope" in _message(spec)
    legacy = await _post(pool, invalid, accept="application/json")
    assert legacy.status_code == 200 and legacy.headers["content-type"] == "application/json"
    assert legacy.json()["data"] is None
    fine = await _post(pool, {"query": QUERY}, accept=SPEC)
    assert fine.status_code == 200 and fine.headers["content-type"] == SPEC
    assert fine.json() == {"data": {"riskiestVendors": []}}


async def test_a_query_by_get(pool: asyncpg.Pool) -> None:
    async with asgi_client(pool) as client:
        answer = await client.get("/graphql", params={"query": QUERY}, headers=SIGNED_IN)
        mutation = await client.get(
            "/graphql",
            params={"query": 'mutation { submitEvent(event: "{}") { accepted } }'},
            headers=SIGNED_IN,
        )
    assert answer.status_code == 200 and answer.json() == {"data": {"riskiestVendors": []}}
    assert mutation.status_code == 405 and mutation.headers["allow"] == "POST"
    assert "mutation" in _message(mutation).lower()


async def test_automatic_persisted_queries_round_trip(pool: asyncpg.Pool) -> None:
    digest = hashlib.sha256(QUERY.encode()).hexdigest()
    by_hash = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    async with asgi_client(pool) as client:  # one API process: it keeps what it was given
        unknown = await _post(pool, by_hash, client=client)
        registered = await _post(pool, {"query": QUERY, **by_hash}, client=client)
        again = await _post(pool, by_hash, client=client)
        wrong = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}}
        mismatch = await _post(pool, {"query": QUERY, **wrong}, accept=SPEC, client=client)
    assert unknown.status_code == 200
    assert unknown.json()["errors"][0] == {
        "message": "PersistedQueryNotFound",
        "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
    }
    assert registered.json() == {"data": {"riskiestVendors": []}}
    assert again.json() == {"data": {"riskiestVendors": []}}
    assert mismatch.status_code == 400 and "not the SHA-256" in _message(mismatch)
