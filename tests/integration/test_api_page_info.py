"""Relay's complete PageInfo on a real PostgreSQL: a normalising client cache and a pager
read where a page starts and ends and whether there is more either side."""

from __future__ import annotations

import logging

import asyncpg
import pytest

from services.platform.graphql.pagination import key_cursor, position_cursor
from tests.support import case_b
from tests.support.in_process_api import execute, over_http
from tests.support.principals import token
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

PAGE = """query ($after: String) { registeredVendors(first: 2, after: $after) {
  edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""


async def test_pages_say_where_they_are(pool: asyncpg.Pool) -> None:
    await apply(pool, *(case_b.another_vendor(f"vendor-{n}") for n in range(3)))
    cursor = {n: key_cursor("vendor_id", f"vendor-{n}") for n in range(3)}
    first = (await execute(pool, PAGE))["registeredVendors"]
    assert first["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": cursor[0],
        "endCursor": cursor[1],
    }
    second = (await execute(pool, PAGE, after=cursor[1]))["registeredVendors"]
    assert second["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": cursor[2],
        "endCursor": cursor[2],
    }
    empty = (await execute(pool, PAGE, after=cursor[2]))["registeredVendors"]
    assert empty["edges"] == []
    assert empty["pageInfo"]["startCursor"] is None and empty["pageInfo"]["endCursor"] == cursor[2]


async def test_a_cursor_is_a_place_in_the_list_s_order_not_a_record_of_a_page(
    pool: asyncpg.Pool,
) -> None:
    """What services/gateway/README.md promises: a cursor of the connection's form names a place
    in its order, the same after a restart, on another replica, and after its item is gone; one
    written by hand is answered as that place (the caller sees nothing its role does not)."""
    await apply(pool, *(case_b.another_vendor(f"vendor-{n}") for n in (0, 2)))
    never_given = key_cursor("vendor_id", "vendor-1")  # no vendor-1 was ever registered
    page = (await execute(pool, PAGE, after=never_given))["registeredVendors"]
    assert page["edges"] == [{"cursor": key_cursor("vendor_id", "vendor-2")}]
    assert page["pageInfo"]["hasPreviousPage"] is True


# Every connection of the API, asked after `$after` (a vendor's through vendor-0).
CONNECTIONS = {
    "registeredVendors": "registeredVendors(first: 2, after: $after) { totalCount }",
    "contracts": "contracts(first: 2, after: $after) { totalCount }",
    "sanctions": "sanctions(first: 2, after: $after) { totalCount }",
    "migrationPlans": "migrationPlans(first: 2, after: $after) { totalCount }",
    "imports": "imports(first: 2, after: $after) { totalCount }",
    "alerts": "alerts(first: 2, after: $after) { totalCount }",
    "deadLetters": "deadLetters(first: 2, after: $after) { totalCount }",
    "events": 'events(vendorId: "vendor-0", first: 2, after: $after) { totalCount }',
    "auditTrail": "auditTrail(first: 2, after: $after) { totalCount }",
    "riskHistory": 'riskHistory(vendorId: "vendor-0", first: 2, after: $after) { totalCount }',
    **{
        f"Vendor.{records}": f'vendor(vendorId: "vendor-0") {{ {records}(first: 2, after: $after)'
        " { totalCount } }"
        for records in (
            "contracts",
            "subcontracts",
            "incidents",
            "claims",
            "certificates",
            "sanctions",
        )
    },
}


# A plans' cursor as the plans' connection gives it now; an alerts' one, a position.
PLANS_CURSOR = key_cursor("plan_id", "plan-0a3ddab40f9e59208d5e")
ALERTS_CURSOR = position_cursor("alerts", 1)


# Every string above, each a cursor of some connection's form once or now, or none.
NOT_ITS_FORM = {
    "garbage": "xyz",
    "plan-id": "plan-0a3ddab40f9e59208d5e",  # a plan id, which a plans' page was once after
    "vendor-id": "vendor-0",  # a vendor id, which a vendors' page was once after
    "plans-cursor": PLANS_CURSOR,
    "position": "1",  # a position, which every list of the log's was once after
    "alerts-cursor": ALERTS_CURSOR,
}
# The two strings above that are of their own connection's form now.
OWN_FORM = {("migrationPlans", PLANS_CURSOR), ("alerts", ALERTS_CURSOR)}


@pytest.mark.parametrize(
    ("connection", "after"),
    [
        pytest.param(connection, after, id=f"{name}-{connection}")
        for name, after in NOT_ITS_FORM.items()
        for connection in sorted(CONNECTIONS)
        if (connection, after) not in OWN_FORM
    ],
)
async def test_every_connection_refuses_a_string_not_of_its_cursors_form(
    pool: asyncpg.Pool, connection: str, after: str
) -> None:
    """A string not from the connection, taken as a place in it, answered an empty page
    ending at it, or a page skipping every item before it, as if that were the list: every
    connection refuses it, naming `after`, as the log's connections did already."""
    await apply(pool, case_b.another_vendor("vendor-0"))
    query = f"query ($after: String) {{ {CONNECTIONS[connection]} }}"
    body = await over_http(pool, token(), query, after=after)
    said = f"after: {after!r} is not a cursor from this connection"
    if (connection, after) == ("riskHistory", "1"):  # its cursors were positions once
        said = "after: '1' is a cursor of the form riskHistory gave before its cursors named"
        said += " their entries"
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (f"{said}; ask again from the first page", "BAD_USER_INPUT")
    ], body


@pytest.mark.parametrize(
    ("connection", "after"), [pytest.param(*own, id=own[0]) for own in sorted(OWN_FORM)]
)
async def test_a_connection_takes_a_cursor_of_its_own_form(
    pool: asyncpg.Pool, connection: str, after: str
) -> None:
    """The refusal above is of other forms only: the plans' and the alerts' connections take
    a cursor of their own form as a place, and answer (here, an empty list) without error."""
    await apply(pool, case_b.another_vendor("vendor-0"))
    query = f"query ($after: String) {{ {CONNECTIONS[connection]} }}"
    body = await over_http(pool, token(), query, after=after)
    assert body == {"data": {connection: {"totalCount": 0}}}, body


@pytest.mark.parametrize("connection", sorted(CONNECTIONS))
async def test_a_long_cursor_is_quoted_back_cut(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture, connection: str
) -> None:
    """A 100 KB `after` came back whole in the error, and again in the API's INFO line for
    it, where an id given to `node` was cut at 80 characters: each is cut so now."""
    await apply(pool, case_b.another_vendor("vendor-0"))
    after = "x" * 100_000
    query = f"query ($after: String) {{ {CONNECTIONS[connection]} }}"
    with caplog.at_level(logging.INFO):
        body = await over_http(pool, token(), query, after=after)
    (error,) = body["errors"]
    assert error["message"] == (
        f"after: {'x' * 80 + '…'!r} is not a cursor from this connection; ask again from the"
        " first page"
    ), error
    assert caplog.records and max(len(r.getMessage()) for r in caplog.records) < 1_000


async def test_a_long_registry_changes_cursor_is_quoted_back_cut(pool: asyncpg.Pool) -> None:
    since = "1." + "9" * 100_000
    body = await over_http(
        pool,
        token(),
        "query ($since: String) { registryChanges(since: $since) { cursor } }",
        since=since,
    )
    assert [e["message"] for e in body["errors"]] == [
        f"since: {since[:80] + '…'!r} is not a cursor from registryChanges"
    ], body
