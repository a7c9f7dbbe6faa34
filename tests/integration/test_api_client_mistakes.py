"""A client's mistake gets its reason, naming the field, and is logged as one quiet line; it
is never "internal error <id>" (real PostgreSQL, the API's schema in-process)."""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

import asyncpg
import pytest

from tests.support import case_b
from tests.support.in_process_api import SCHEMA, asgi_client, shared_context
from tests.support.principals import ADMIN, token

pytestmark = pytest.mark.postgres

SUBMIT = """
mutation ($event: JSON!) {
  submitEvent(event: $event) { accepted eventId vendorId errors { field message code } }
}"""


async def run(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture, query: str, **variables: Any
) -> tuple[dict[str, Any] | None, list[str]]:
    """The data and the error messages; fails if anything was logged above INFO."""
    context = dataclasses.replace(shared_context(pool), principal=ADMIN)
    with caplog.at_level(logging.INFO):
        result = await SCHEMA.execute(query, variable_values=variables, context_value=context)
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    return result.data, [error.message for error in result.errors or []]


@pytest.mark.parametrize("search", ["%", "_", "\\", "・。、"])
async def test_a_search_with_no_letter_or_digit_is_refused_saying_why(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture, search: str
) -> None:
    _, errors = await run(
        pool, caplog, "query ($s: String!) { vendors(search: $s) { vendorId } }", s=search
    )
    assert errors == [
        f"search query {search!r} has no letter or digit once punctuation and symbols are ignored"
    ]


async def test_a_search_longer_than_any_name_is_refused_saying_why(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    # One gram repeated, 600 kB of it, took a gigabyte of the API's memory for no answer.
    query = "query ($s: String!) { vendors(search: $s) { vendorId } }"
    _, errors = await run(pool, caplog, query, s="sys" * 200_000)
    assert errors == [
        "search: 600,000 characters; a name or identifier to look for has at most 300"
    ]
    data, errors = await run(pool, caplog, query, s="s" * 300)
    assert (data, errors) == ({"vendors": []}, [])


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({**case_b.registered(), "source": "city\ud800"}, "source"),
        ({**case_b.registered(), "vendor_id": "\udc80"}, "vendor_id"),
        (
            {**case_b.registered(), "payload": {"legal_name": "株式会社\ud83d"}},
            "payload.legal_name",
        ),
        ({**case_b.registered(), "payload": {"aliases": ["B", "\ud800"]}}, "payload.aliases.1"),
        ({**case_b.registered(), "\ud800": 1}, "?"),
    ],
    ids=["source", "vendor_id", "payload", "list-item", "key"],
)
async def test_a_lone_surrogate_in_submit_event_is_refused_at_its_field(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture, event: dict[str, Any], field: str
) -> None:
    """JSON can spell half a UTF-16 pair ("\\ud800"); UTF-8 cannot hold it."""
    data, errors = await run(pool, caplog, SUBMIT, event=event)
    assert errors == []
    assert data is not None
    (problem,) = data["submitEvent"]["errors"]
    assert problem["field"] == field and "lone UTF-16 surrogate" in problem["message"]
    assert problem["code"] == "lone_surrogate"
    assert data["submitEvent"]["accepted"] is False
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 0


async def test_every_lone_surrogate_is_refused_at_its_field(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    """A receipt lists every problem it can find: it named the first field only (found by an
    API integrator), so a form fixed one field per attempt."""
    event = {
        **case_b.registered(),
        "source": "city\ud800",
        "payload": {"legal_name": "B", "aliases": ["ok", "x\udfffy"]},
        "\ud800": 1,
    }
    data, errors = await run(pool, caplog, SUBMIT, event=event)
    assert errors == [] and data is not None
    found = [(p["field"], p["code"]) for p in data["submitEvent"]["errors"]]
    assert found == [
        ("source", "lone_surrogate"),
        ("payload.aliases.1", "lone_surrogate"),
        ("?", "lone_surrogate"),
    ]
    register = """mutation ($payload: VendorRegisteredInput!) {
      registerVendor(vendorId: "vendor-s", payload: $payload) { accepted errors { field code } }
    }"""
    payload = {"legalName": "Sur\ud800rogate", "aliases": ["ok", "x\udfffy"]}
    data, errors = await run(pool, caplog, register, payload=payload)
    assert errors == [] and data is not None
    assert data["registerVendor"] == {
        "accepted": False,
        "errors": [
            {"field": "payload.legalName", "code": "lone_surrogate"},
            {"field": "payload.aliases.1", "code": "lone_surrogate"},
        ],
    }
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 0


@pytest.mark.parametrize("event", ["a string", 5, [case_b.registered()]])
async def test_an_event_that_is_no_json_object_is_refused_with_a_code(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture, event: Any
) -> None:
    data, errors = await run(pool, caplog, SUBMIT, event=event)
    assert errors == [] and data is not None
    (problem,) = data["submitEvent"]["errors"]
    assert (problem["field"], problem["code"]) == ("event", "dict_type")
    # The input names no vendor: the schema says null, not a vendor called "unknown".
    assert data["submitEvent"]["vendorId"] is None


async def test_a_lone_surrogate_sent_over_http_is_refused_at_its_field_too(
    pool: asyncpg.Pool,
) -> None:
    # JSON that spells the surrogate ("\\ud800"), which a strict reader refuses: the API
    # still reads the body and names the field.
    event = {**case_b.registered(), "payload": {"aliases": ["B", "\ud800"]}}
    body = json.dumps({"query": SUBMIT, "variables": {"event": event}}).encode()
    async with asgi_client(pool) as client:
        answer = await client.post(
            "/graphql",
            content=body,
            headers={"authorization": f"Bearer {token()}", "content-type": "application/json"},
        )
    assert answer.status_code == 200, answer.text
    (problem,) = answer.json()["data"]["submitEvent"]["errors"]
    assert problem["field"] == "payload.aliases.1"
    assert "lone UTF-16 surrogate" in problem["message"]


async def test_the_valid_event_is_still_recorded(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    data, errors = await run(pool, caplog, SUBMIT, event=case_b.registered())
    assert errors == [] and data is not None and data["submitEvent"]["accepted"]


@pytest.mark.parametrize(
    ("method", "query", "said"),
    [
        ("POST", "{ }", "the query selects nothing"),
        ("GET", '{ vendor(vendorId: "vendor-b") { } }', "field `vendor` selects nothing"),
        ("POST", "query Named { today ...on Query { } }", "an inline fragment selects nothing"),
        ("POST", "{ ...F } fragment F on Query { }", "fragment `F` selects nothing"),
    ],
    ids=["operation", "field-by-get", "inline-fragment", "fragment"],
)
async def test_an_empty_selection_is_refused_naming_whose_it_is(
    pool: asyncpg.Pool, method: str, query: str, said: str
) -> None:
    """graphql-core accepts it; strawberry's depth limiter then answered Python's words
    ("max() arg is an empty sequence") with no code."""
    async with asgi_client(pool) as client:
        signed_in = {"authorization": f"Bearer {token()}"}
        answer = await (
            client.get("/graphql", params={"query": query}, headers=signed_in)
            if method == "GET"
            else client.post("/graphql", json={"query": query}, headers=signed_in)
        )
    errors = answer.json()["errors"]
    assert [e["message"] for e in errors] == [f"{said}: a selection set needs at least one field"]
    assert errors[0]["extensions"] == {"code": "BAD_REQUEST"}
