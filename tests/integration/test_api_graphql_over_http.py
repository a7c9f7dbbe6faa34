"""GraphQL over HTTP as its specification has it, on the whole ASGI app and a real PostgreSQL:
refusals are GraphQL JSON, the specification's media type with its status codes, GET for
queries, and automatic persisted queries."""

from __future__ import annotations

import hashlib
import json
import logging
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


@pytest.mark.parametrize(
    "body",
    [
        # What a Japanese integrator's system may send: JSON, in Shift_JIS.
        json.dumps({"query": QUERY, "variables": {"agency": "市民課"}}, ensure_ascii=False).encode(
            "shift_jis"
        ),
        b"\xff",
    ],
    ids=["shift-jis", "byte-ff"],
)
async def test_a_body_that_is_not_utf_8_is_a_bad_request_not_a_fault(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    headers = {**SIGNED_IN, "content-type": "application/json"}
    with caplog.at_level(logging.INFO):
        async with asgi_client(pool) as client:
            answer = await client.post("/graphql", content=body, headers=headers)
    assert answer.status_code == 400, answer.text
    [error] = answer.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "must be JSON in UTF-8" in error["message"]
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


NESTED_TOO_DEEP = (
    "not JSON the API reads: its arrays and objects are nested too deep (over 1,000 levels"
    " within each other)"
)


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_json_nested_too_deep_is_a_bad_request_not_a_fault(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture, method: str
) -> None:
    """orjson refuses 1,100 levels and json then met Python's recursion limit: a plain-text
    500 and a traceback logged at ERROR, for 2 KB."""
    nested = "[" * 1100 + "]" * 1100
    with caplog.at_level(logging.INFO):
        async with asgi_client(pool) as client:
            if method == "POST":
                body = '{"query":"{ today }","variables":{"a":' + nested + "}}"
                headers = {**SIGNED_IN, "content-type": "application/json"}
                answer = await client.post("/graphql", content=body, headers=headers)
            else:
                params = {"query": "{ today }", "variables": '{"a":' + nested + "}"}
                answer = await client.get("/graphql", params=params, headers=SIGNED_IN)
    assert answer.status_code == 400, answer.text
    assert answer.json() == {
        "errors": [{"message": NESTED_TOO_DEEP, "extensions": {"code": "BAD_REQUEST"}}]
    }
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_an_integer_beyond_64_bits_stays_an_integer(pool: asyncpg.Pool) -> None:
    """orjson reads an integer past 64 bits as a float: the client sent an integer, and the
    type's refusal must speak of the integer it sent."""
    query = "query ($n: Int!) { riskiestVendors(first: $n) { vendorId } }"
    for big in (2**64, -(2**63) - 1, 10**30):
        body = {"query": query, "variables": {"n": big}}
        async with asgi_client(pool) as client:
            post = await _post(pool, body, client=client)
            get = await client.get(
                "/graphql",
                params={"query": query, "variables": json.dumps(body["variables"])},
                headers=SIGNED_IN,
            )
        for answer in (post, get):
            message = _message(answer)
            assert message.endswith(f"non 32-bit signed integer value: {big}"), message


TWO_OPERATIONS = (
    'mutation Write { submitEvent(event: "{}") { accepted } } '
    "query Read { riskiestVendors(first: 1) { vendorId } }"
)
NAME_NEEDED = "Must provide operation name if query contains multiple operations."


@pytest.mark.parametrize("accept", ["application/json", SPEC])
async def test_several_operations_without_a_name_are_a_request_error(
    pool: asyncpg.Pool, accept: str
) -> None:
    """The specification's GetOperation: with several operations, operationName is needed;
    the first one was run, a mutation too."""
    reads_first = "query Read { riskiestVendors(first: 1) { vendorId } } query Other { __typename }"
    async with asgi_client(pool) as client:
        post = await _post(pool, {"query": TWO_OPERATIONS}, accept=accept, client=client)
        get = await client.get(
            "/graphql", params={"query": reads_first}, headers={**SIGNED_IN, "accept": accept}
        )
        named = await _post(
            pool, {"query": TWO_OPERATIONS, "operationName": "Read"}, accept=accept, client=client
        )
    status = 400 if accept == SPEC else 200
    for answer in (post, get):
        assert answer.status_code == status, answer.text
        assert answer.json() == {
            "errors": [{"message": NAME_NEEDED, "extensions": {"code": "BAD_REQUEST"}}]
        }
    assert named.json() == {"data": {"riskiestVendors": []}}
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 0


@pytest.mark.parametrize(("accept", "status"), [("application/json", 200), (SPEC, 400)])
async def test_an_unknown_operation_name_is_a_request_error(
    pool: asyncpg.Pool, accept: str, status: int
) -> None:
    body = {"query": QUERY, "operationName": "Nope"}
    answer = await _post(pool, body, accept=accept)
    assert answer.status_code == status
    assert answer.headers["content-type"] == accept
    assert answer.json() == {
        "errors": [
            {"message": 'Unknown operation named "Nope".', "extensions": {"code": "BAD_REQUEST"}}
        ]
    }


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("query ($n: Int!) { riskiestVendors(first: $n) { vendorId } }", {}),
        (
            'query ($d: Date!) { bidEligibility(vendorId: "v", asOf: $d) { eligible } }',
            {"d": "2019-02-30"},
        ),
    ],
    ids=["missing", "no-such-day"],
)
async def test_a_variable_refused_is_a_request_error(
    pool: asyncpg.Pool, query: str, variables: dict[str, Any]
) -> None:
    """Variables are coerced before execution: one refused is a request error (400, no data)
    in the specification's media type, and 200 with `data: null` for plain JSON as before."""
    body = {"query": query, "variables": variables}
    spec = await _post(pool, body, accept=SPEC)
    assert spec.status_code == 400, spec.text
    assert "data" not in spec.json()
    assert spec.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    legacy = await _post(pool, body, accept="application/json")
    assert legacy.status_code == 200 and legacy.json()["data"] is None


async def test_a_field_error_keeps_200_and_its_data(pool: asyncpg.Pool) -> None:
    """An error in execution (a field's, with a path) is no request error: 200 either way."""
    query = '{ bidEligibility(vendorId: "vendor-nope") { eligible } }'
    spec = await _post(pool, {"query": query}, accept=SPEC)
    assert spec.status_code == 200 and spec.json()["data"] is None
    assert spec.json()["errors"][0]["path"] == ["bidEligibility"]


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
async def test_a_persisted_query_by_get_runs_whatever_the_client_accepts(
    pool: asyncpg.Pool, accept: str | None
) -> None:
    """curl, httpx and requests send `Accept: */*`: a hashed query by GET is run, not
    answered with the GraphiQL page; only a browser asking for HTML with nothing to run gets
    the page. Answers by GET vary with Accept."""
    digest = hashlib.sha256(QUERY.encode()).hexdigest()
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}})
    async with asgi_client(pool) as client:
        await _post(pool, {"query": QUERY, "extensions": json.loads(extensions)}, client=client)
        headers = SIGNED_IN if accept is None else {**SIGNED_IN, "accept": accept}
        answer = await client.get("/graphql", params={"extensions": extensions}, headers=headers)
        browser = await client.get("/graphql", headers={"accept": "text/html,*/*;q=0.8"})
        browser_hashed = await client.get(
            "/graphql",
            params={"extensions": extensions},
            headers={"accept": "text/html,*/*;q=0.8"},
        )
        anything = await client.get("/graphql", headers={"accept": "*/*"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"data": {"riskiestVendors": []}}
    assert "accept" in answer.headers["vary"].lower()
    assert browser.status_code == 200 and browser.headers["content-type"].startswith("text/html")
    assert "accept" in browser.headers["vary"].lower()
    # Something to run needs a token, as any query does; without one, the 401.
    assert browser_hashed.status_code == 401
    assert anything.status_code == 401
