"""A dead letter's refused input (`raw`) over HTTP, per role, on the whole ASGI app and a real
PostgreSQL: it may hold any agency's records, so only those who may read dead letters
(auditors, admins) get it; everyone else polling `eventStatus` still learns where and why
their event was refused, with `raw` null."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.security.auth import Role
from tests.support import case_b
from tests.support.event_examples import envelope, example
from tests.support.in_process_api import over_http
from tests.support.principals import token
from tests.support.registry_db import rejection

pytestmark = pytest.mark.postgres

THEIRS = "税務課"
# Another agency's contract, on a vendor the registry does not know: refused, dead-lettered.
REFUSED = envelope(
    "contract.awarded",
    example("contract.awarded", contract_id="c-theirs", agency=THEIRS),
    "vendor-unknown",
)

STATUS = """
query ($id: ID!) {
  eventStatus(eventId: $id) { refusedBy deadLetters { stage reason eventType eventId raw } }
}"""
READERS = (Role.AUDITOR, Role.ADMIN)


@pytest.fixture
async def refused(pool: asyncpg.Pool) -> str:
    """The registry's reason for refusing REFUSED."""
    return await rejection(pool, REFUSED)


async def graphql(pool: asyncpg.Pool, bearer: str, query: str, **variables: Any) -> dict[str, Any]:
    """The data of an operation that must succeed."""
    body = await over_http(pool, bearer, query, **variables)
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def caller(role: Role) -> str:
    return token(role, ("市民課",) if role is Role.SYSTEM_OWNER else ())


@pytest.mark.parametrize("role", list(Role), ids=str)
async def test_event_status_shows_the_refused_input_only_to_dead_letter_readers(
    pool: asyncpg.Pool, refused: str, role: Role
) -> None:
    data = await graphql(pool, caller(role), STATUS, id=REFUSED["event_id"])
    (letter,) = data["eventStatus"]["deadLetters"]
    assert letter["stage"] == "REGISTRY"
    assert letter["reason"] == refused
    assert letter["eventType"] == "contract.awarded"
    assert letter["eventId"] == REFUSED["event_id"]
    if role in READERS:
        assert THEIRS in letter["raw"] and "c-theirs" in letter["raw"]
    else:
        assert letter["raw"] is None


@pytest.mark.parametrize("role", READERS, ids=str)
async def test_the_dead_letter_store_shows_readers_the_refused_input(
    pool: asyncpg.Pool, refused: str, role: Role
) -> None:
    data = await graphql(pool, caller(role), "{ deadLetters { edges { node { reason raw } } } }")
    (edge,) = data["deadLetters"]["edges"]
    assert edge["node"]["reason"] == refused
    assert THEIRS in edge["node"]["raw"]


async def test_an_input_ingest_refused_names_ingest_among_those_that_refused_it(
    pool: asyncpg.Pool,
) -> None:
    """A producer polling `eventStatus` of a line the log never took learns who refused it
    (it read `refusedBy: []` beside a dead letter of stage INGEST)."""
    forged = envelope("vendor.eligibility_changed", example("vendor.eligibility_changed"))
    await ingest_batch(pool, [json.dumps(forged).encode()])
    data = await graphql(pool, caller(Role.AUDITOR), STATUS, id=forged["event_id"])
    assert data["eventStatus"]["refusedBy"] == ["INGEST"]
    (letter,) = data["eventStatus"]["deadLetters"]
    assert letter["stage"] == "INGEST" and "services only" in letter["reason"]


async def test_a_reused_id_s_refusal_says_it_refused_another_event_under_it(
    pool: asyncpg.Pool,
) -> None:
    """Other content sent under the id of a stored sanction: `eventStatus` of that id shows
    the sanction accepted beside an INGEST dead letter, whose reason must say that what it
    refused was another submission under the id, not the sanction (an auditor read it as the
    sanction refused)."""
    sanction = case_b.suspended()
    other = {**sanction, "payload": {**sanction["payload"], "duration_months": 1}}
    await ingest_batch(pool, [case_b.line(sanction)])
    await ingest_batch(pool, [case_b.line(other)])
    query = """
    query ($id: ID!) {
      eventStatus(eventId: $id) { accepted refusedBy deadLetters { stage reason } }
    }"""
    data = await graphql(pool, caller(Role.AUDITOR), query, id=sanction["event_id"])
    status = data["eventStatus"]
    assert status["accepted"] is True and status["refusedBy"] == []
    (letter,) = status["deadLetters"]
    assert letter["stage"] == "INGEST"
    assert "this submission, another event under the same id, was refused" in letter["reason"]
    assert "the event the log holds under it stands" in letter["reason"]
