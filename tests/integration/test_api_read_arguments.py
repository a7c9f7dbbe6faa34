"""Text no read can match (a NUL, a lone UTF-16 surrogate) in any read's arguments is the
client's mistake: refused before anything runs, naming the field, the argument and where in
it, with BAD_USER_INPUT, and logged as one quiet line; never an internal error with a
traceback, which any viewer could fill the error log with (real PostgreSQL, the API's schema
in-process and over HTTP)."""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

import asyncpg
import pytest

from services.platform.security.auth import Role
from tests.support.in_process_api import SCHEMA, asgi_client, shared_context
from tests.support.principals import ADMIN, token

pytestmark = pytest.mark.postgres

NUL = "contains a NUL character (\\u0000), which no text can hold"
SURROGATE = "contains a lone UTF-16 surrogate (such as \\ud800), which is not a character"

# A read field per kind of argument taking text: (document, the argument's name in messages,
# the place of $x inside it).
READS = {
    "bidEligibility": (
        "query ($x: ID!) { bidEligibility(vendor: {vendorId: $x}) { eligible } }",
        "bidEligibility(vendor:)",
        " at 'vendorId'",
    ),
    "vendors": ("query ($x: String!) { vendors(search: $x) { vendorId } }", "vendors(search:)", ""),
    "vendor": ("query ($x: ID) { vendor(vendorId: $x) { vendorId } }", "vendor(vendorId:)", ""),
    "riskScore": (
        "query ($x: ID!) { riskScore(vendorId: $x) { score } }",
        "riskScore(vendorId:)",
        "",
    ),
    "riskHistory": (
        "query ($x: ID!) { riskHistory(vendorId: $x) { totalCount } }",
        "riskHistory(vendorId:)",
        "",
    ),
    "riskiestVendors": (
        "query ($x: String) { riskiestVendors(agency: $x) { score } }",
        "riskiestVendors(agency:)",
        "",
    ),
    "events": ("query ($x: ID!) { events(vendorId: $x) { totalCount } }", "events(vendorId:)", ""),
    "auditTrail": (
        "query ($x: String) { auditTrail(subject: $x) { totalCount } }",
        "auditTrail(subject:)",
        "",
    ),
    "migrationPlan": (
        "query ($x: ID) { migrationPlan(planId: $x) { planId } }",
        "migrationPlan(planId:)",
        "",
    ),
    "migrationPlans": (
        "query ($x: String) { migrationPlans(agency: $x) { totalCount } }",
        "migrationPlans(agency:)",
        "",
    ),
    "contracts": (
        "query ($x: String) { contracts(agency: $x) { totalCount } }",
        "contracts(agency:)",
        "",
    ),
    "alerts": ("query ($x: String) { alerts(agency: $x) { totalCount } }", "alerts(agency:)", ""),
    "watchlists": (
        "query ($x: String) { watchlists(agency: $x) { name } }",
        "watchlists(agency:)",
        "",
    ),
    # A list of ids, taken as given past graphql-core's coercion (id_list_variables.py).
    "bidEligibilityMany": (
        "query ($x: [ID!]!) { bidEligibilityMany(vendorIds: $x) { eligible } }",
        "bidEligibilityMany(vendorIds:)",
        " at '1'",
    ),
    # Below a root field: the field named by its path.
    "Vendor.contracts": (
        'query ($x: String) { v: vendor(vendorId: "V-1")'
        " { contracts(agency: $x) { totalCount } } }",
        "v.contracts(agency:)",
        "",
    ),
}
BAD = {"nul": ("a\x00b", NUL), "surrogate": ("ab\ud800c", SURROGATE)}


def _value(field: str, text: str) -> Any:
    return ["V-1", text] if field == "bidEligibilityMany" else text


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("field", READS)
async def test_text_no_read_can_match_is_refused_naming_the_argument(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture, field: str, bad: str
) -> None:
    query, argument, place = READS[field]
    text, reason = BAD[bad]
    context = dataclasses.replace(shared_context(pool), principal=ADMIN)
    with caplog.at_level(logging.INFO):
        result = await SCHEMA.execute(
            query, variable_values={"x": _value(field, text)}, context_value=context
        )
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert result.data is None
    assert [(e.message, e.extensions) for e in result.errors or []] == [
        (f"{argument} ($x{place}): {reason}", {"code": "BAD_USER_INPUT"})
    ]


async def test_over_http_it_is_a_request_error_at_the_variable(pool: asyncpg.Pool) -> None:
    """The known queries' way (a document answered before) refuses it as strawberry's does."""
    query = READS["vendors"][0]
    headers = {
        "authorization": f"Bearer {token(Role.VIEWER)}",
        "content-type": "application/json",
        "accept": "application/graphql-response+json",
    }
    async with asgi_client(pool) as client:
        # json.dumps writes a lone surrogate as the escape a client's JSON would send.
        for x in ("V-1", "ab\ud800c", "a\x00b"):
            body = json.dumps({"query": query, "variables": {"x": x}})
            answer = await client.post("/graphql", content=body.encode(), headers=headers)
            if x == "V-1":
                assert answer.status_code == 200, answer.text
                continue
            assert answer.status_code == 400, answer.text
            (error,) = answer.json()["errors"]
            assert error["extensions"] == {"code": "BAD_USER_INPUT"}
            assert error["message"].startswith("vendors(search:) ($x): ")
            assert error["locations"] == [{"line": 1, "column": query.index("$x)") + 1}]


async def test_written_in_the_document_it_is_refused_at_its_place(pool: asyncpg.Pool) -> None:
    context = dataclasses.replace(shared_context(pool), principal=ADMIN)
    queries = {
        '{ bidEligibility(vendor: {vendorId: "a\\u0000b"}) { eligible } }': (
            f"bidEligibility(vendor:) (at 'vendorId'): {NUL}",
            {"line": 1, "column": 37},
        ),
        'query ($s: String! = "a\\u0000b") { vendors(search: $s) { vendorId } }': (
            f"default of $s: {NUL}",
            {"line": 1, "column": 22},
        ),
    }
    for query, (message, location) in queries.items():
        result = await SCHEMA.execute(query, context_value=context)
        assert result.data is None
        (error,) = result.errors or []
        assert (error.message, error.formatted["locations"]) == (message, [location])
        assert error.original_error is not None  # BAD_USER_INPUT, not the document's


async def test_a_mutation_s_own_arguments_keep_their_receipt(pool: asyncpg.Pool) -> None:
    """An event's text is judged by the event contract, field by field, in the receipt."""
    context = dataclasses.replace(shared_context(pool), principal=ADMIN)
    result = await SCHEMA.execute(
        'mutation { registerVendor(vendorId: "V-9", payload: {legalName: "a\\u0000b"})'
        " { accepted errors { field code } } }",
        context_value=context,
    )
    assert result.errors is None, result.errors
    assert result.data == {
        "registerVendor": {
            "accepted": False,
            "errors": [{"field": "payload.legalName", "code": "string_pattern_mismatch"}],
        }
    }
