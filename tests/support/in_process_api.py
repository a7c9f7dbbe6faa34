"""The GraphQL schema executed in-process on a real PostgreSQL (and its embedded event log),
as a signed-in caller: for tests that look under the API (SQL statements, stored events)."""

from __future__ import annotations

import dataclasses
from typing import Any

import asyncpg

from services.gateway.context import request_context
from services.gateway.protection import Limits
from services.gateway.schema import build_schema
from services.ingest.handlers import ingest_batch
from services.platform.auth import Principal
from services.platform.eventlog.embedded import EmbeddedEventLog
from services.platform.graphql.broadcast import Broadcaster
from services.platform.settings import Settings
from services.registry.policy_loading import load_policies
from services.risk import setup as risk_setup
from tests.support.principals import ADMIN

SCHEMA = build_schema(Limits())


async def execute(
    pool: asyncpg.Pool,
    query: str,
    principal: Principal = ADMIN,
    client: str | None = None,
    **variables: Any,
) -> dict[str, Any]:
    """The data of an operation that must succeed (no GraphQL errors)."""
    settings = Settings(database_url="unused")
    shared = request_context(
        pool,
        EmbeddedEventLog(pool, ingest_batch),
        settings,
        load_policies(None),
        Broadcaster(),
        risk_setup.service(settings),
        {},
    )
    context = dataclasses.replace(shared, principal=principal, client=client)
    result = await SCHEMA.execute(query, variable_values=variables, context_value=context)
    assert result.errors is None and result.data is not None, result.errors
    return result.data
