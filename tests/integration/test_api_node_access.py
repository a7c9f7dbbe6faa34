"""Global ids under the role and agency checks of the queries that serve their objects: a role
that may not use a type's query may not fetch it by id either, and a system owner fetches by
id (or by query) only its own agencies' objects. On the world of
tests/integration/conftest.py (vendor B's case run by the whole system embedded), with the
API's schema in-process."""

from __future__ import annotations

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.security.auth import Principal, Role
from tests.support.served_objects import MINE, SERVED, THEIRS, VENDOR, again, answer, data, served
from tests.support.whole_case import PLAN

pytestmark = pytest.mark.postgres


VIEWER = Principal("viewer", Role.VIEWER, (MINE,))
AUDITOR = Principal("auditor", Role.AUDITOR, ())


@pytest.mark.parametrize("kind", ["logged event", "import report"])
async def test_a_role_that_may_not_use_a_types_query_may_not_fetch_it_by_id(
    world: asyncpg.Pool, kind: str
) -> None:
    how = SERVED[kind]
    found = await served(world, how)
    query = "query ($id: ID!) { node(id: $id) { id } }"
    refused = await answer(world, query, VIEWER, id=found["id"])
    assert refused.data == {"node": None}
    assert [e.message for e in refused.errors or []] == [
        f"id: role viewer may not read {how.type_name}s"
    ]
    # As the root query refuses the role: a role's refusal, not a value to correct.
    assert [(e.extensions or {}).get("code") for e in refused.errors or []] == ["FORBIDDEN"]
    assert (await data(world, query, AUDITOR, id=found["id"]))["node"] == {"id": found["id"]}


async def test_a_dead_letter_is_fetched_by_id_by_whoever_its_events_status_shows_it_to(
    world: asyncpg.Pool,
) -> None:
    """`eventStatus` shows any role the letters of an event (`raw` null but to auditors and
    admins): the id it gives is fetched again by the same role, as served. A viewer was
    refused it ("role viewer may not read DeadLetters")."""
    event = (await served(world, SERVED["dead letter"]))["eventId"]
    status = "query ($e: ID!) { eventStatus(eventId: $e) { deadLetters { id reason raw } } }"
    (letter,) = (await data(world, status, VIEWER, e=event))["eventStatus"]["deadLetters"]
    assert letter["raw"] is None
    node = "query ($id: ID!) { node(id: $id) { ... on DeadLetter { id reason raw } } }"
    assert (await data(world, node, VIEWER, id=letter["id"]))["node"] == letter
    assert (await data(world, node, AUDITOR, id=letter["id"]))["node"]["raw"]


async def test_a_dead_letter_naming_no_event_is_fetched_by_id_only_by_dead_letter_readers(
    pool: asyncpg.Pool,
) -> None:
    """Input too broken to name an event is in no event's status, only in `deadLetters`."""
    await ingest_batch(pool, [b"not json"])
    query = "{ deadLetters(first: 1) { edges { node { id eventId } } } }"
    (edge,) = (await data(pool, query, AUDITOR))["deadLetters"]["edges"]
    assert edge["node"]["eventId"] is None
    node = "query ($id: ID!) { node(id: $id) { id } }"
    assert (await data(pool, node, VIEWER, id=edge["node"]["id"]))["node"] is None
    assert (await data(pool, node, AUDITOR, id=edge["node"]["id"]))["node"] is not None


def owner_of(agency: str) -> Principal:
    return Principal("owner", Role.SYSTEM_OWNER, (agency,))


# What belongs to the case's agency (市民課): its plan and what hangs on it, its contracts
# and the records on them.
AGENCY_OWNED = [
    "contract",
    "subcontract",
    "certificate",
    "migration plan",
    "migration item",
    "schedule version",
    "migration progress",
    "alert",
    "automatic watchlist",
    "saved watchlist",
]


@pytest.mark.parametrize("kind", AGENCY_OWNED)
async def test_a_system_owner_fetches_by_id_only_its_own_agencies_objects(
    world: asyncpg.Pool, kind: str
) -> None:
    how = SERVED[kind]
    found = await served(world, how)
    query = again(how.type_name)
    theirs = await data(world, query, owner_of(THEIRS), id=found["id"])
    mine = await data(world, query, owner_of(MINE), id=found["id"])
    assert theirs == {"node": None}
    assert mine == {"node": {"__typename": how.type_name, **found}}


async def test_the_same_system_owner_is_not_served_them_by_their_queries_either(
    world: asyncpg.Pool,
) -> None:
    seen = await data(
        world,
        f'{{ migrationPlan(planId: "{PLAN}") {{ id }} contracts {{ totalCount }}'
        f' vendor(vendorId: "{VENDOR}") {{ subcontracts {{ totalCount }}'
        " certificates { totalCount } } alerts { totalCount } }",
        owner_of(THEIRS),
    )
    assert seen == {
        "migrationPlan": None,
        "contracts": {"totalCount": 0},
        "alerts": {"totalCount": 0},
        "vendor": {"subcontracts": {"totalCount": 0}, "certificates": {"totalCount": 0}},
    }
