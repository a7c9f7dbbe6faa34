"""The ASGI application: GraphQL (with GraphiQL) at /graphql, liveness at /healthz."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from services.gateway.context import RequestContext
from services.gateway.protection import Limits, RequestLimits
from services.gateway.schema import build_schema
from services.migration.http_exports import export_endpoint
from services.platform.liveness import Liveness, health_report


class _GraphQL(GraphQL[RequestContext, None]):
    def __init__(self, context: RequestContext, limits: Limits) -> None:
        super().__init__(build_schema(limits), graphql_ide="graphiql")
        self._context = context

    async def get_context(self, request: Request | WebSocket, response: Any) -> RequestContext:
        return self._context


def create_app(
    context: RequestContext, livenesses: Sequence[Liveness] = (), limits: Limits | None = None
) -> Starlette:
    """The API; `livenesses` are the in-process consumers /healthz reports on (embedded)."""
    limits = limits or Limits()

    async def healthz(_: Request) -> JSONResponse:
        try:
            await context.pool.fetchval("SELECT 1")
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            return JSONResponse({"status": f"database unreachable: {error}"}, status_code=503)
        status, body = health_report(list(livenesses))
        return JSONResponse(body, status_code=status)

    graphql = _GraphQL(context, limits)
    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/graphql", graphql),
            Route("/migration-plans/{plan_id}.{format}", export_endpoint(context.pool)),
            WebSocketRoute("/graphql", graphql),
        ],
        middleware=[Middleware(RequestLimits, limits=limits)],
    )
