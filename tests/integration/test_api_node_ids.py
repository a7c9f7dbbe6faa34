"""Global ids: every object a client caches has an `id` unique across the API, naming its
type, and `node(id:)` / `nodes(ids:)` fetch it again with the same fields as the query (or
subscription) that served it; an id the API did not issue is refused saying so; objects' own
keys keep fields and arguments of their own. On the world of tests/integration/conftest.py
(vendor B's case run by the whole system embedded: every kind of object), with the API's
schema in-process."""

from __future__ import annotations

import base64

import asyncpg
import pytest

from services.platform.graphql.nodes import decode, encode
from tests.support.served_objects import MINE, SERVED, VENDOR, again, answer, data, served
from tests.support.whole_case import PLAN

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("kind", SERVED)
async def test_an_object_fetched_again_by_its_id_has_the_same_fields(
    world: asyncpg.Pool, kind: str
) -> None:
    how = SERVED[kind]
    found = await served(world, how)
    refetched = (await data(world, again(how.type_name), id=found["id"]))["node"]
    assert refetched == {"__typename": how.type_name, **found}


async def test_ids_are_unique_across_types_and_name_their_type(world: asyncpg.Pool) -> None:
    objects = {kind: await served(world, how) for kind, how in SERVED.items()}
    ids = [found["id"] for found in objects.values()]
    assert len(set(ids)) == len(ids)
    assert {kind: decode(o["id"])[0] for kind, o in objects.items()} == {
        kind: how.type_name for kind, how in SERVED.items()
    }
    # The same key in two types is two ids: the logged event and its status.
    assert decode(objects["logged event"]["id"])[1] == decode(objects["event status"]["id"])[1]


async def test_nodes_fetches_many_in_the_order_asked_with_a_bad_id_failing_only_its_place(
    world: asyncpg.Pool,
) -> None:
    vendor = await served(world, SERVED["vendor"])
    plan = await served(world, SERVED["migration plan"])
    missing = encode("Contract", ("no-such-contract",))
    result = await answer(
        world,
        "query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
        ids=[plan["id"], "garbled", vendor["id"], missing],
    )
    assert result.data == {
        "nodes": [
            {"__typename": "MigrationPlan", "id": plan["id"]},
            None,
            {"__typename": "Vendor", "id": vendor["id"]},
            None,  # no such contract: null, as `node` answers
        ]
    }
    assert result.errors is not None
    ((error, path),) = [(e.message, e.path) for e in result.errors]
    assert path == ["nodes", 1]
    assert error.startswith("ids[1]: 'garbled' is not an id of this API")


def _raw(text: str) -> str:
    """Any text as the base64url an id is made of (for ids the API would never issue)."""
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


NOT_ISSUED = "is not an id of this API (take ids from an object's `id` field, as they are)"
REFUSED = {
    "garbled": ("not-base64!", NOT_ISSUED),
    "a vendor's own id": ("vendor-b", NOT_ISSUED),
    "padded": (encode("Vendor", (VENDOR,)) + "=", NOT_ISSUED),
    "no type": (_raw("vendor-b"), NOT_ISSUED),
    "a key that is no identifier": (_raw("Vendor:vendor b"), NOT_ISSUED),
    "an empty key part": (_raw("Incident:vendor-b/"), NOT_ISSUED),
    "an unknown type": (
        encode("Supplier", (VENDOR,)),
        "is not an id of this API: no Supplier has ids",
    ),
    "a type without ids": (
        encode("PageInfo", ("1",)),
        "is not an id of this API: no PageInfo has ids",
    ),
    "the interface itself": (encode("Node", ("1",)), "is not an id of this API: no Node has ids"),
    "a key of the wrong shape": (
        encode("Incident", (VENDOR,)),
        "is not an id of this API: Incident ids are made of vendorId and incidentId",
    ),
    "a date that is none": (
        encode("RiskScore", (VENDOR, "2024-02-30")),
        "is not an id of this API: RiskScore ids are made of vendorId and asOf (or, in the"
        " history, eventId; ranked, asOf and stored)",
    ),
    # `riskScore(asOf:)` refuses a day outside the years the registry reads, so no RiskScore
    # has one: such an id had answered a score of that day.
    **{
        f"a day of year {day[:4]}{' (ranked)' if ranked else ''}": (
            encode("RiskScore", (VENDOR, day, *(("stored",) if ranked else ()))),
            "is not an id of this API: RiskScore ids are made of vendorId and asOf (or, in the"
            " history, eventId; ranked, asOf and stored)",
        )
        for day in ("0001-01-01", "1800-01-01", "9999-12-31", "3000-01-01")
        for ranked in (False, True)
    },
    "a ranked score's key of another kind": (
        encode("RiskScore", (VENDOR, "2024-02-01", "computed")),
        "is not an id of this API: RiskScore ids are made of vendorId and asOf (or, in the"
        " history, eventId; ranked, asOf and stored)",
    ),
    "an event id that is no UUID": (
        encode("EventStatus", ("not-a-uuid",)),
        "is not an id of this API: EventStatus ids are made of eventId",
    ),
}


@pytest.mark.parametrize("forged", REFUSED)
async def test_an_id_the_api_did_not_issue_is_refused_saying_so(
    world: asyncpg.Pool, forged: str
) -> None:
    value, says = REFUSED[forged]
    result = await answer(world, "query ($id: ID!) { node(id: $id) { id } }", id=value)
    assert result.data == {"node": None}
    assert [e.message for e in result.errors or []] == [f"id: {value!r} {says}"]


async def test_an_objects_own_id_is_named_explicitly_and_the_old_id_arguments_still_work(
    world: asyncpg.Pool,
) -> None:
    by_old = await data(
        world,
        f'{{ vendor(id: "{VENDOR}") {{ vendorId }} migrationPlan(id: "{PLAN}") {{ planId }} }}',
    )
    assert by_old == {"vendor": {"vendorId": VENDOR}, "migrationPlan": {"planId": PLAN}}
    vendor = await served(world, SERVED["vendor"])
    plan = await served(world, SERVED["migration plan"])
    for query, global_id, own in [
        ("query ($id: ID!) { vendor(id: $id) { vendorId } }", vendor["id"], "vendorId"),
        ("query ($id: ID!) { migrationPlan(id: $id) { planId } }", plan["id"], "planId"),
    ]:
        result = await answer(world, query, id=global_id)
        (message,) = [e.message for e in result.errors or []]
        assert message == (
            f"id: {global_id!r} is a global id (a {decode(global_id)[0]}'s `id`): fetch it with"
            f" node(id:), or give the object's own id as {own}"
        )
    both = await answer(world, f'{{ vendor(vendorId: "{VENDOR}", id: "{VENDOR}") {{ id }} }}')
    assert [e.message for e in both.errors or []] == [
        "vendorId: give it alone, not with the deprecated id"
    ]


async def test_an_alert_an_import_report_and_a_watchlist_keep_their_own_ids_under_their_names(
    world: asyncpg.Pool,
) -> None:
    """`alertId` (what webhooks carry and acknowledgeAlert takes), `reportId` (what the
    importer prints and importReport takes) and `watchlistId` (what the log keys its saves
    by) are the stored keys; `id` is the global id."""
    report = await served(world, SERVED["import report"])
    query = "query ($id: ID!) { importReport(reportId: $id) { id reportId } }"
    by_own = await data(world, query, id=report["reportId"])
    assert by_own == {"importReport": {"id": report["id"], "reportId": report["reportId"]}}
    alert = await served(world, SERVED["alert"])
    agency = await world.fetchval(
        "SELECT agency FROM alerts WHERE alert_id = $1::uuid", alert["alertId"]
    )
    assert agency == MINE and alert["id"] != alert["alertId"]
    saved = await served(world, SERVED["saved watchlist"])
    key = await world.fetchval(
        "SELECT vendor_id FROM event_store WHERE event_type = 'watchlist.saved'"
    )
    assert key == f"watchlist:{saved['watchlistId']}" and saved["id"] != saved["watchlistId"]
