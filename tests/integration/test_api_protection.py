"""The API's limits over HTTP, on the whole ASGI app and a real PostgreSQL: bodies are
measured as they arrive (chunked ones too), no query runs without a token (introspection
included, GraphiQL's page path included), and introspection has limits of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from graphql import get_introspection_query
from services.gateway.http.protection import Limits
from tests.support.hostile_documents import SPREAD_OUT_LIMIT, fragment_bomb
from tests.support.in_process_api import asgi_client
from tests.support.principals import token

pytestmark = pytest.mark.postgres

MB = 1_000_000
INTROSPECTION = "{ __schema { queryType { name } } }"
STANDARD_INTROSPECTION = get_introspection_query(
    descriptions=True,
    specified_by_url=True,
    directive_is_repeatable=True,
    schema_description=True,
    input_value_deprecation=True,
)


def bearer() -> dict[str, str]:
    return {"authorization": f"Bearer {token()}"}


async def test_a_chunked_body_over_the_limit_is_refused_without_reading_it_all(
    pool: asyncpg.Pool,
) -> None:
    sent = 0

    async def hundred_megabytes() -> AsyncIterator[bytes]:
        nonlocal sent
        # A valid start, so that only the size can be the reason for the refusal.
        yield b'{"query": "{ registeredVendors { totalCount } }", "pad": "'
        for _ in range(100):
            sent += 1
            yield b"x" * MB

    async with asgi_client(pool) as client:
        # A generator body goes chunked: no Content-Length for the server to check.
        answer = await client.post(
            "/graphql",
            content=hundred_megabytes(),
            headers=bearer() | {"content-type": "application/json"},
        )
    assert answer.status_code == 413
    assert answer.json() == {
        "errors": [
            {
                "message": "request body over 2000000 bytes",
                "extensions": {"code": "REQUEST_TOO_LARGE"},
            }
        ]
    }
    assert sent <= 3, f"{sent} MB read of a body refused at 2 MB"


async def test_a_chunked_body_within_the_limit_is_executed(pool: asyncpg.Pool) -> None:
    async def pieces() -> AsyncIterator[bytes]:
        yield b'{"query": "{ registeredVendors '
        yield b'{ totalCount } }"}'

    async with asgi_client(pool) as client:
        answer = await client.post(
            "/graphql", content=pieces(), headers=bearer() | {"content-type": "application/json"}
        )
    assert answer.status_code == 200
    assert answer.json() == {"data": {"registeredVendors": {"totalCount": 0}}}


async def test_a_declared_length_over_the_limit_is_refused_at_once(pool: asyncpg.Pool) -> None:
    async with asgi_client(pool, Limits(max_body_bytes=100)) as client:
        answer = await client.post("/graphql", content=b"x" * 101, headers=bearer())
    assert answer.status_code == 413


async def test_introspection_through_the_graphiql_page_path_needs_a_token(
    pool: asyncpg.Pool,
) -> None:
    html = {"accept": "text/html"}
    async with asgi_client(pool) as client:
        page = await client.get("/graphql", headers=html)
        anonymous = await client.get("/graphql", params={"query": INTROSPECTION}, headers=html)
        empty = await client.get("/graphql", params={"query": ""}, headers=html)
        signed_in = await client.get(
            "/graphql", params={"query": INTROSPECTION}, headers=html | bearer()
        )
    # The page itself holds no data and stays public; a query never runs without a token.
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert anonymous.status_code == 401 and "__schema" not in anonymous.text
    assert anonymous.json() == {
        "errors": [{"message": "no bearer token", "extensions": {"code": "UNAUTHENTICATED"}}]
    }
    assert empty.status_code == 401
    assert signed_in.status_code == 200
    assert signed_in.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_introspection_without_a_token_is_refused_on_every_path(pool: asyncpg.Pool) -> None:
    async with asgi_client(pool) as client:
        posted = await client.post("/graphql", json={"query": INTROSPECTION})
        fetched = await client.get("/graphql", params={"query": INTROSPECTION})
    assert posted.status_code == fetched.status_code == 401


async def test_introspection_switched_off_by_its_setting_is_refused(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API's settings (VENDORWATCH_GRAPHQL_INTROSPECTION, validated with the others)
    decide it, as production's deployment sets it."""
    monkeypatch.setenv("VENDORWATCH_GRAPHQL_INTROSPECTION", "off")
    answer = await post(pool, INTROSPECTION)
    assert "data" not in answer or answer["data"] is None
    assert answer["errors"]
    assert all("introspection has been disabled" in e["message"] for e in answer["errors"])


async def post(pool: asyncpg.Pool, query: str) -> dict[str, Any]:
    async with asgi_client(pool) as client:
        answer = await client.post("/graphql", json={"query": query}, headers=bearer())
    body: dict[str, Any] = answer.json()
    return body


async def test_the_standard_introspection_query_of_graphiql_works(pool: asyncpg.Pool) -> None:
    answer = await post(pool, STANDARD_INTROSPECTION)
    assert "errors" not in answer
    names = {t["name"] for t in answer["data"]["__schema"]["types"]}
    assert {"Query", "Mutation", "Contract", "MigrationPlan"} <= names


async def test_introspection_nesting_member_lists_is_refused(pool: asyncpg.Pool) -> None:
    # Each `fields { type { fields …` level multiplies the answer by the schema's size.
    fan_out = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    answer = await post(pool, fan_out)
    assert answer.get("data") is None
    # (graphql-core's own, laxer rule may refuse it as well.)
    assert "introspection may not nest `fields` within `fields`" in [
        e["message"] for e in answer["errors"]
    ]


async def test_introspection_deeper_than_its_limit_is_refused(pool: asyncpg.Pool) -> None:
    deep = '{ __type(name: "Vendor") { ' + "ofType { " * 15 + "name" + " }" * 15 + " } }"
    answer = await post(pool, deep)
    assert answer.get("data") is None
    assert [e["message"] for e in answer["errors"]] == [
        "introspection query exceeds the maximum depth of 15"
    ]


async def test_introspection_through_fragments_is_counted_too(pool: asyncpg.Pool) -> None:
    hidden = """
    query { ...Root }
    fragment Root on Query { __schema { types { ...Members } } }
    fragment Members on __Type { fields { type { fields { name } } } }
    """
    answer = await post(pool, hidden)
    assert answer.get("data") is None
    assert "introspection may not nest `fields` within `fields`" in answer["errors"][0]["message"]


async def test_fragments_spread_out_beyond_the_size_limit_are_refused(pool: asyncpg.Pool) -> None:
    # 13 fragments hold 12,286 selections spread out (a document without fragments holding
    # as many would be over the token limit); 12 hold 6,142.
    refused = await post(pool, fragment_bomb(13))
    assert refused == {
        "data": None,
        "errors": [{"message": SPREAD_OUT_LIMIT, "extensions": {"code": "BAD_REQUEST"}}],
    }
    accepted = await post(pool, fragment_bomb(12))
    assert "errors" not in accepted and set(accepted["data"]) == {"today"}


async def test_fragments_used_as_clients_use_them_still_work(pool: asyncpg.Pool) -> None:
    shared = """
    query Two($a: ID!, $b: ID!) {
      first: vendor(vendorId: $a) { ...Names }
      second: vendor(vendorId: $b) { ...Names }
      today
    }
    fragment Names on Vendor { vendorId legalName ... on Vendor { country kind } }
    """
    async with asgi_client(pool) as client:
        answer = await client.post(
            "/graphql",
            json={"query": shared, "variables": {"a": "v-none", "b": "v-none-2"}},
            headers=bearer(),
        )
    body = answer.json()
    assert "errors" not in body, body
    assert body["data"]["first"] is None and body["data"]["second"] is None


async def test_a_field_repeated_past_the_merge_checks_budget_is_refused_saying_how_to_stay_under(
    pool: asyncpg.Pool,
) -> None:
    """Each pair of fields of one name at one level is compared to check they can be merged,
    within a budget (some 700 of one field): past it the answer had been "Validation
    aborted.", far under the documented 10,000 selections and naming no limit."""
    refused = await post(pool, "{ " + "today " * 900 + "}")
    assert refused == {
        "data": None,
        "errors": [
            {
                "message": "Validation aborted: the document is too costly to check. Either it"
                " repeats fields of one name at one level too often (each pair is compared,"
                " within 500,000 comparisons: about 700 repeats of one field; select each"
                " field once per level, its repeats answer the same), or it nests fragments"
                " too deeply (a chain of fragments each spreading the next, past some 150:"
                " spread them side by side).",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ],
    }
    accepted = await post(pool, "{ " + "today " * 700 + "}")
    assert "errors" not in accepted and set(accepted["data"]) == {"today"}
