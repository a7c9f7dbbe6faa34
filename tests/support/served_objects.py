"""Every kind of object the API serves, and how (`SERVED`: the query or subscription that
serves it, where the object is in the answer): for the global-id tests (`node(id:)`,
`nodes(ids:)`) on the world of tests/integration/conftest.py (vendor B's case run by the whole
system embedded, with `records()` besides), which fetch each object as it is served, every
field, and again by its id through the API's schema in-process."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from typing import Any

import asyncpg
from strawberry.types import ExecutionResult

from graphql import GraphQLObjectType, get_named_type, is_leaf_type
from services.events.alerts import watchlist_key
from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.security.auth import Principal
from tests.support import case_b
from tests.support.event_examples import envelope, example
from tests.support.in_process_api import SCHEMA, shared_context
from tests.support.principals import ADMIN
from tests.support.whole_case import PLAN

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
    # The stored current score `riskiestVendors` ranks (B's: the case's riskiest vendor), an
    # object of its own beside B's score of the day computed when asked.
    "ranked risk score": Served(
        "RiskScore", "{ riskiestVendors(first: 1) { FIELDS } }", ("riskiestVendors", 0)
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
