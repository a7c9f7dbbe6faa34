"""Aliases do not multiply the limits of the batch fields: the bidders of every
`bidEligibilityMany` and `screenBidders` of a request count together against the 5,000 of one
call, the vendors of every `saveWatchlist` against the 5,000 of one list, the ids of every
`nodes` against its 100, refused before anything runs (the whole ASGI app, a real PostgreSQL).
30 aliases of a 5,000-bidder screen had been answered with 9.3 MB; 30 screens of 5,000 by name
ran into the time limit and stalled the process 20 s; 30 saves of a 5,000-vendor list each
looked its vendors up and recorded its event."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.platform.security.auth import Role
from tests.support.in_process_api import asgi_client
from tests.support.principals import token

pytestmark = pytest.mark.postgres

GRAPHQL_RESPONSE = "application/graphql-response+json"


async def _post(pool: asyncpg.Pool, query: str, **variables: Any) -> tuple[int, dict[str, Any]]:
    bearer = f"Bearer {token(Role.PROCUREMENT_OFFICER)}"
    headers = {"authorization": bearer, "accept": GRAPHQL_RESPONSE}
    async with asgi_client(pool) as client:
        answer = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    return answer.status_code, answer.json()


def _aliased(field: str, times: int) -> str:
    return " ".join(f"a{n}: {field}" for n in range(times))


def _refused(total: int, fields: int, names: str, items: str, limit: int) -> dict[str, Any]:
    message = (
        f"{total:,} {items}s in one request, over {fields} fields ({names}); the limit is"
        f" {limit:,} a request, however many fields or aliases ask"
    )
    return {"message": message, "extensions": {"code": "BAD_REQUEST"}}


async def test_aliases_of_a_screen_count_their_bidders_together(pool: asyncpg.Pool) -> None:
    query = f"""query ($v: [ID!]!) {{
        {_aliased("bidEligibilityMany(vendorIds: $v) { vendorId eligible }", 30)} }}"""
    # Sent twice: the second time the document is known valid (the known queries' way).
    for _ in range(2):
        status, body = await _post(pool, query, v=["vendor-b"] * 5000)
        assert status == 400
        (error,) = body["errors"]
        assert {k: error[k] for k in ("message", "extensions")} == _refused(
            150_000, 30, "bidEligibilityMany", "bidder", 5000
        )
        assert len(error["locations"]) == 30  # each field counted
        assert "data" not in body  # nothing ran


async def test_both_screening_fields_share_one_budget(pool: asyncpg.Pool) -> None:
    """By id and by name; in the variables, written in the document, and a variable's default."""
    names = ",".join(f'{{ref:"{n}",name:"F{n}"}}' for n in range(500))
    query = f"""query ($v: [ID!]!, $b: [BidderInput!]! = [{names}]) {{
        ids: bidEligibilityMany(vendorIds: $v) {{ vendorId }}
        named: screenBidders(bidders: $b) {{ ref }}
        written: screenBidders(bidders: [{names}]) {{ ref }} }}"""
    status, body = await _post(pool, query, v=["v"] * 4001)
    assert status == 400
    assert [{k: e[k] for k in ("message", "extensions")} for e in body["errors"]] == [
        _refused(5001, 3, "bidEligibilityMany, screenBidders", "bidder", 5000)
    ]


async def test_a_request_within_the_budget_is_screened(pool: asyncpg.Pool) -> None:
    bidders = [{"ref": str(n), "name": f"Firm {n}"} for n in range(2500)]
    query = """query ($b: [BidderInput!]!) {
        first: screenBidders(bidders: $b) { ref status }
        second: screenBidders(bidders: $b) { ref status } }"""
    status, body = await _post(pool, query, b=bidders)
    assert status == 200, body
    assert [len(body["data"][k]) for k in ("first", "second")] == [2500, 2500]


async def test_one_field_over_its_limit_keeps_its_own_refusal(pool: asyncpg.Pool) -> None:
    status, body = await _post(
        pool,
        "query ($v: [ID!]!) { bidEligibilityMany(vendorIds: $v) { vendorId } }",
        v=["v"] * 5001,
    )
    assert status == 200
    (error,) = body["errors"]
    assert error["message"] == "vendorIds: 5,001 vendors in one call; the limit is 5,000"


async def test_aliases_of_nodes_count_their_ids_together(pool: asyncpg.Pool) -> None:
    query = f"query ($i: [ID!]!) {{ {_aliased('nodes(ids: $i) { id }', 3)} }}"
    status, body = await _post(pool, query, i=["x"] * 40)
    assert status == 400
    assert [{k: e[k] for k in ("message", "extensions")} for e in body["errors"]] == [
        _refused(120, 3, "nodes", "global id", 100)
    ]


def _saves(times: int, vendors: str, identifiers: str = "null") -> str:
    return " ".join(
        f'a{n}: saveWatchlist(agency: "A", name: "list {n}", vendorIds: {vendors},'
        f" identifiers: {identifiers}) {{ accepted errors {{ code }} }}"
        for n in range(times)
    )


async def test_aliases_of_a_watchlist_save_count_their_vendors_together(
    pool: asyncpg.Pool,
) -> None:
    query = f"mutation ($v: [ID!]!) {{ {_saves(30, '$v')} }}"
    status, body = await _post(pool, query, v=[f"vendor-{n}" for n in range(5000)])
    assert status == 400
    (error,) = body["errors"]
    assert {k: error[k] for k in ("message", "extensions")} == _refused(
        150_000, 30, "saveWatchlist", "watched vendor", 5000
    )
    assert "data" not in body  # nothing ran, nothing recorded
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 0


async def test_a_watchlists_ids_and_identifiers_count_together(pool: asyncpg.Pool) -> None:
    query = """mutation ($v: [ID!]!, $i: [IdentifierInput!]) {
        byId: saveWatchlist(agency: "A", name: "ids", vendorIds: $v) { accepted }
        byNumber: saveWatchlist(agency: "A", name: "numbers", vendorIds: [], identifiers: $i)
          { accepted } }"""
    numbers = [{"scheme": "corporate_number", "value": str(n)} for n in range(2001)]
    status, body = await _post(pool, query, v=["v"] * 3000, i=numbers)
    assert status == 400
    assert [{k: e[k] for k in ("message", "extensions")} for e in body["errors"]] == [
        _refused(5001, 2, "saveWatchlist", "watched vendor", 5000)
    ]


async def test_watchlist_saves_within_the_budget_are_each_judged(pool: asyncpg.Pool) -> None:
    status, body = await _post(pool, f"mutation ($v: [ID!]!) {{ {_saves(2, '$v')} }}", v=["x"])
    assert status == 200, body
    assert [body["data"][k]["errors"] for k in ("a0", "a1")] == [[{"code": "unknown_vendor"}]] * 2
