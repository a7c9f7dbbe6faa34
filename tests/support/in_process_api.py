"""The GraphQL schema executed in-process on a real PostgreSQL (and its embedded event log),
as a signed-in caller: for tests that look under the API (SQL statements, stored events);
the whole answer, errors included, of an operation asked as a caller (`graphql`); and the whole
ASGI app on the same, for tests of what reaches it over HTTP."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
from httpx_ws import AsyncWebSocketSession, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport

from services.gateway.app import create_app
from services.gateway.context import request_context
from services.gateway.http.protection import Limits
from services.gateway.schema import build_schema
from services.ingest.handlers import ingest_batch
from services.platform.eventlog.base import EventLog
from services.platform.eventlog.embedded import EmbeddedEventLog
from services.platform.eventstore.chain_watch import ChainWatch
from services.platform.graphql.broadcast import Broadcaster
from services.platform.graphql.context import RequestContext
from services.platform.operations.database_probe import DatabaseProbe
from services.platform.security.auth import AuthConfig, Principal, TokenVerifier
from services.platform.settings import Settings
from services.registry.policy_loading import load_policies
from services.risk import setup as risk_setup
from tests.support.principals import ADMIN, TEST_SECRET

SCHEMA = build_schema(Limits())


def shared_context(pool: asyncpg.Pool, event_log: EventLog | None = None) -> RequestContext:
    """The API's context on this database and its embedded event log, or `event_log` (nobody
    asking yet)."""
    settings = Settings(database_url="unused")
    return request_context(
        pool,
        event_log or EmbeddedEventLog(pool, ingest_batch),
        settings,
        load_policies(None),
        Broadcaster(),
        risk_setup.service(settings),
        {},
        # The tests' checks run on their one pool (planned per run: the answers are the same).
        pool,
    )


def asgi_client(
    pool: asyncpg.Pool,
    limits: Limits | None = None,
    known_queries: bool = True,
    chain: ChainWatch | None = None,
    database: DatabaseProbe | None = None,
    event_log: EventLog | None = None,
) -> httpx.AsyncClient:
    """An HTTP client of the whole ASGI app (middleware, bearer tokens, routes) on this
    database, accepting the tokens of tests.support.principals; `known_queries` False runs
    every request strawberry's whole way; `chain`: the process's watch of the chains, and
    `database` its probe of PostgreSQL, for /healthz; `event_log`: the distributed API's
    instead of the embedded one."""
    verifier = TokenVerifier(AuthConfig(hs256_secret=TEST_SECRET))
    app = create_app(
        shared_context(pool, event_log),
        verifier,
        limits=limits,
        chain=chain,
        known_queries=known_queries,
        database=database,
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api")


def asgi_websocket_client(pool: asyncpg.Pool) -> httpx.AsyncClient:
    """As `asgi_client`, for WebSockets too (httpx_ws's `aconnect_ws` with this client)."""
    verifier = TokenVerifier(AuthConfig(hs256_secret=TEST_SECRET))
    app = create_app(shared_context(pool), verifier)
    return httpx.AsyncClient(transport=ASGIWebSocketTransport(app=app), base_url="http://api")


@contextlib.asynccontextmanager
async def graphql_socket(pool: asyncpg.Pool) -> AsyncIterator[AsyncWebSocketSession]:
    """A graphql-transport-ws WebSocket to the in-process API, nothing sent on it yet."""
    async with (
        asgi_websocket_client(pool) as client,
        aconnect_ws(
            "/graphql",
            client,
            subprotocols=["graphql-transport-ws"],
            session_class=AsyncWebSocketSession,
        ) as socket,
    ):
        yield socket


async def over_http(
    pool: asyncpg.Pool, bearer: str, query: str, **variables: Any
) -> dict[str, Any]:
    """The whole GraphQL answer (data and errors) to a POST signed in with `bearer`."""
    async with asgi_client(pool) as client:
        answer = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {bearer}"},
        )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def execute(
    pool: asyncpg.Pool,
    query: str,
    principal: Principal = ADMIN,
    client: str | None = None,
    **variables: Any,
) -> dict[str, Any]:
    """The data of an operation that must succeed (no GraphQL errors)."""
    context = dataclasses.replace(shared_context(pool), principal=principal, client=client)
    result = await SCHEMA.execute(query, variable_values=variables, context_value=context)
    assert result.errors is None and result.data is not None, result.errors
    return result.data


async def graphql(
    pool: asyncpg.Pool, principal: Principal, query: str, **variables: Any
) -> dict[str, Any]:
    context = dataclasses.replace(shared_context(pool), principal=principal)
    result = await SCHEMA.execute(query, variable_values=variables, context_value=context)
    return {"data": result.data, "errors": [e.message for e in result.errors or []]}
