"""Global ids: every object a client caches has an `id` unique across the API, and
`node(id:)` / `nodes(ids:)` fetch it again with the same fields as the query (or subscription)
that served it, under the same role and agency checks; an id the API did not issue is refused
saying so. On a real PostgreSQL, with the whole system running embedded to make every kind of
object (the case of vendor B: records, a suspension from today, its announcements, risk, a
migration plan and its versions, a dead letter, the agency's alert, a list import's report),
and the API's schema in-process."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
from collections.abc import AsyncIterator, Sequence
from typing import Any

import asyncpg
import pytest
from strawberry.types import ExecutionResult

from graphql import GraphQLObjectType, get_named_type, is_leaf_type
from services.events.alerts import watchlist_key
from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.graphql.nodes import decode, encode
from services.platform.postgres.database import open_pool
from services.platform.security.auth import Principal, Role
from services.platform.settings import Settings
from tests.integration.test_rebuild import PLAN, running_system, settled, submit, the_case
from tests.support import case_b, postgres
from tests.support.event_examples import envelope, example
from tests.support.in_process_api import SCHEMA, shared_context
from tests.support.principals import ADMIN

pytestmark = pytest.mark.postgres

VENDOR, SUBCONTRACTOR = case_b.VENDOR, "vendor-c"
MINE, THEIRS = "市民課", "税務課"  # the case's contracts are all 市民課's


def records() -> list[dict[str, Any]]:
    """Besides the case: a subcontract and a certificate on its first contract, an award to a
    vendor nobody registered, which the registry refuses (a dead letter), and the report of a
    list import (keyed by its list, as the importer sends it), and a saved watchlist."""
    return [
        envelope(
            "contract.subcontract_requested",
            example(
                "contract.subcontract_requested",
                contract_id="c01",
                subcontract_id="sub-c01",
                subcontractor_vendor_id=SUBCONTRACTOR,
                parent_subcontract_id=None,
            ),
            VENDOR,
        ),
        envelope(
            "certificate.submitted",
            example(
                "certificate.submitted",
                certificate_id="cert-c01",
                kind="data_erasure",
                contract_id="c01",
                subcontract_id=None,
            ),
            VENDOR,
        ),
        envelope("contract.awarded", example("contract.awarded"), "vendor-nobody-registered"),
        envelope("import.reported", example("import.reported"), "import:worldbank"),
        envelope(
            "watchlist.saved",
            example("watchlist.saved"),
            watchlist_key(MINE, example("watchlist.saved")["name"]),
        ),
    ]


@pytest.fixture(scope="module")
async def world(test_databases: postgres.TestDatabases) -> AsyncIterator[asyncpg.Pool]:
    """The case, processed by every service until settled, then left still for the tests."""
    url = await test_databases.create()
    pool = await open_pool(url)
    try:
        settings = Settings(database_url=url)
        async with running_system(pool, settings):
            await submit(pool, *the_case(settings.clock.today().replace(day=1)), *records())
            await settled(pool)
        yield pool
    finally:
        await pool.close()
        await test_databases.drop(url)


def fields(type_name: str, depth: int = 2) -> str:
    """Every field of the type that takes no argument, objects' fields too (to `depth`)."""
    graphql_type = SCHEMA._schema.get_type(type_name)
    assert isinstance(graphql_type, GraphQLObjectType), type_name
    chosen = []
    for name, field in graphql_type.fields.items():
        inner = get_named_type(field.type)
        if field.args:
            continue
        if is_leaf_type(inner):
            chosen.append(name)
        elif isinstance(inner, GraphQLObjectType) and depth > 0:
            chosen.append(f"{name} {{ {fields(inner.name, depth - 1)} }}")
    return " ".join(chosen)


async def answer(
    pool: asyncpg.Pool, query: str, principal: Principal = ADMIN, **variables: Any
) -> ExecutionResult:
    context = dataclasses.replace(shared_context(pool), principal=principal)
    return await SCHEMA.execute(query, variable_values=variables, context_value=context)


async def data(
    pool: asyncpg.Pool, query: str, principal: Principal = ADMIN, **variables: Any
) -> dict[str, Any]:
    result = await answer(pool, query, principal, **variables)
    assert result.errors is None and result.data is not None, result.errors
    return result.data


def at(found: Any, path: Sequence[str | int]) -> dict[str, Any]:
    for step in path:
        found = found[step]
    assert isinstance(found, dict)
    return found


@dataclasses.dataclass(frozen=True)
class Served:
    """How a type's object is normally served: a query (FIELDS: the type's fields) and where
    the object is in the answer; or a subscription pushing a stored event of `event_type`."""

    type_name: str
    query: str
    path: tuple[str | int, ...]
    event_type: str | None = None


def _vendor(selection: str) -> str:
    return f'{{ vendor(vendorId: "{VENDOR}") {{ {selection} }} }}'


def _plan(selection: str) -> str:
    return f'{{ migrationPlan(planId: "{PLAN}") {{ {selection} }} }}'


PAGE = "(first: 1) { edges { node { FIELDS } } }"
FIRST = ("edges", 0, "node")
SERVED = {
    "vendor": Served("Vendor", _vendor("FIELDS"), ("vendor",)),
    "contract": Served("Contract", "{ contracts" + PAGE + " }", ("contracts", *FIRST)),
    "subcontract": Served(
        "Subcontract", _vendor("subcontracts" + PAGE), ("vendor", "subcontracts", *FIRST)
    ),
    "incident": Served("Incident", _vendor("incidents" + PAGE), ("vendor", "incidents", *FIRST)),
    "claim": Served("Claim", _vendor("claims" + PAGE), ("vendor", "claims", *FIRST)),
    "certificate": Served(
        "Certificate", _vendor("certificates" + PAGE), ("vendor", "certificates", *FIRST)
    ),
    "sanction": Served("Sanction", "{ sanctions" + PAGE + " }", ("sanctions", *FIRST)),
    "registry change": Served(
        "RegistryChange",
        "{ registryChanges(first: 1) { changes { FIELDS } } }",
        ("registryChanges", "changes", 0),
    ),
    "risk score of a day": Served(
        "RiskScore", f'{{ riskScore(vendorId: "{VENDOR}") {{ FIELDS }} }}', ("riskScore",)
    ),
    "risk history entry": Served(
        "RiskScore",
        f'{{ riskHistory(vendorId: "{VENDOR}", first: 1) {{ edges {{ node {{ FIELDS }} }} }} }}',
        ("riskHistory", *FIRST),
    ),
    "migration plan": Served("MigrationPlan", _plan("FIELDS"), ("migrationPlan",)),
    "migration item": Served(
        "MigrationItem", _plan("items { FIELDS }"), ("migrationPlan", "items", 0)
    ),
    "schedule version": Served(
        "SolverReport",
        _plan("versions" + PAGE),
        ("migrationPlan", "versions", *FIRST),
    ),
    "dead letter": Served("DeadLetter", "{ deadLetters" + PAGE + " }", ("deadLetters", *FIRST)),
    # 市民課's, raised as B (on its running contracts' watchlist) was suspended.
    "alert": Served("Alert", "{ alerts" + PAGE + " }", ("alerts", *FIRST)),
    # 市民課's running contracts' vendors (never stored), then its saved list.
    "automatic watchlist": Served("Watchlist", "{ watchlists { FIELDS } }", ("watchlists", 0)),
    "saved watchlist": Served("Watchlist", "{ watchlists { FIELDS } }", ("watchlists", 1)),
    "import report": Served("ImportReport", "{ imports" + PAGE + " }", ("imports", *FIRST)),
    "logged event": Served(
        "LoggedEvent",
        f'{{ events(vendorId: "{VENDOR}", first: 1) {{ edges {{ node {{ FIELDS }} }} }} }}',
        ("events", *FIRST),
    ),
    # The same event as the logged one: one key, two types, two ids.
    "event status": Served(
        "EventStatus", "{ eventStatus(eventId: EVENT) { FIELDS } }", ("eventStatus",)
    ),
    "eligibility change": Served(
        "EligibilityChange",
        f'subscription {{ eligibilityChanges(vendorIds: ["{VENDOR}"]) {{ FIELDS }} }}',
        ("eligibilityChanges",),
        "vendor.eligibility_changed",
    ),
    "risk update": Served(
        "RiskUpdate",
        f'subscription {{ riskUpdates(vendorIds: ["{VENDOR}"]) {{ FIELDS }} }}',
        ("riskUpdates",),
        "risk.changed",
    ),
    "migration progress": Served(
        "MigrationProgress",
        f'subscription {{ migrationProgress(planId: "{PLAN}") {{ FIELDS }} }}',
        ("migrationProgress",),
        "migration.plan_scheduled",
    ),
}


async def stored_event(pool: asyncpg.Pool, event_type: str | None = None) -> EventEnvelope:
    """Vendor B's first stored event (of that type)."""
    text = await pool.fetchval(
        "SELECT envelope::text FROM event_store WHERE vendor_id = $1"
        " AND ($2::text IS NULL OR event_type = $2) ORDER BY position LIMIT 1",
        VENDOR,
        event_type,
    )
    assert text is not None, event_type
    return parse_event(text)


async def pushed(pool: asyncpg.Pool, subscription: str, event: EventEnvelope) -> dict[str, Any]:
    """What the subscription pushes for this stored event, as it would live."""
    context = dataclasses.replace(shared_context(pool), principal=ADMIN)
    stream = await SCHEMA.subscribe(subscription, context_value=context)
    assert not isinstance(stream, ExecutionResult), stream.errors
    first = asyncio.ensure_future(anext(stream))
    for _ in range(500):  # until the subscription has taken its place (its first step)
        if context.broadcaster._index:
            break
        await asyncio.sleep(0.01)
    context.broadcaster.publish(event)
    result = await asyncio.wait_for(first, 10)
    await stream.aclose()
    assert result.errors is None and result.data is not None, result.errors
    return result.data


async def served(pool: asyncpg.Pool, how: Served) -> dict[str, Any]:
    """The object as its query or subscription serves it, every field."""
    document = how.query.replace("FIELDS", fields(how.type_name))
    if "EVENT" in document:
        document = document.replace("EVENT", f'"{(await stored_event(pool)).event_id}"')
    if how.event_type is not None:
        return at(await pushed(pool, document, await stored_event(pool, how.event_type)), how.path)
    return at(await data(pool, document), how.path)


def again(type_name: str) -> str:
    return (
        f"query ($id: ID!) {{ node(id: $id) {{ __typename ... on {type_name} {{"
        f" {fields(type_name)} }} }} }}"
    )


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
        " history, eventId)",
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


VIEWER = Principal("viewer", Role.VIEWER, (MINE,))
AUDITOR = Principal("auditor", Role.AUDITOR, ())


@pytest.mark.parametrize("kind", ["logged event", "dead letter", "import report"])
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
