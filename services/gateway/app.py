"""The ASGI application: the console at / (its files under /console/), GraphQL (with GraphiQL,
served from the package) at /graphql, plan exports, liveness at /healthz, readiness at /readyz,
Prometheus metrics at /metrics; everything but those three and the console's and GraphiQL's
pages and assets behind bearer tokens."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import asyncpg
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute

from services.alerts.handlers import OUTBOX as ALERT_OUTBOX
from services.console.pages import console_routes
from services.gateway.execution.permissions import MUTATIONS, QUERIES
from services.gateway.http.authentication import BearerAuthentication
from services.gateway.http.graphiql import STATIC_PATH, static_files
from services.gateway.http.graphql_view import GraphQLView
from services.gateway.http.outage_answers import OutageAnswers
from services.gateway.http.protection import Limits, RequestLimits
from services.gateway.http.request_ids import RequestIds
from services.gateway.live.websocket_frames import KeepServerSend
from services.migration.api.http_exports import export_endpoint
from services.migration.plan_opening import OUTBOX as MIGRATION_OUTBOX
from services.platform.error_codes import ErrorCode
from services.platform.eventstore import chain_checks
from services.platform.eventstore.chain_checks import ChainCheck
from services.platform.eventstore.chain_watch import ChainWatch
from services.platform.graphql.context import RequestContext
from services.platform.http_errors import error_response
from services.platform.operations import database_gauges
from services.platform.operations.database_probe import DatabaseProbe
from services.platform.operations.liveness import (
    LIVENESS_DATABASE_SECONDS,
    Liveness,
    health_report,
    unreachable,
)
from services.platform.operations.metrics import exposition
from services.platform.operations.readiness import (
    CHECK_SECONDS,
    KafkaCheck,
    LagSource,
    readiness_report,
)
from services.platform.postgres.migrations import pending_migrations
from services.platform.security.auth import TokenVerifier
from services.registry.announcements import OUTBOX as REGISTRY_OUTBOX
from services.registry.api.http_exports import exclusions_endpoint
from services.risk.handlers import OUTBOX as RISK_OUTBOX

log = logging.getLogger(__name__)

OUTBOX_TABLES = tuple(
    box.table for box in (REGISTRY_OUTBOX, RISK_OUTBOX, MIGRATION_OUTBOX, ALERT_OUTBOX)
)


def create_app(
    context: RequestContext,
    verifier: TokenVerifier,
    livenesses: Sequence[Liveness] = (),
    limits: Limits | None = None,
    chain: ChainWatch | None = None,
    kafka: KafkaCheck | None = None,
    lags: LagSource | None = None,
    known_queries: bool = True,
    database: DatabaseProbe | None = None,
) -> Starlette:
    """The API; `livenesses` are the in-process consumers /healthz reports on (embedded),
    `chain` reports the latest verification of the event store recorded; /readyz
    checks Kafka with `kafka` (distributed) and the consumers' lag with `lags` (embedded);
    `known_queries` False runs every GraphQL request strawberry's whole way
    (known_queries.py); /healthz and /readyz ask PostgreSQL through `database` (a connection
    of its own, database_probe.py), else through the pool."""
    limits = limits or Limits(introspection=context.settings.graphql_introspection)

    async def select_one() -> None:
        if database is not None:
            await database.select_one()
        else:
            await context.pool.fetchval("SELECT 1")

    async def migrations() -> list[str]:
        if database is not None:
            return await database.ask(pending_migrations)
        return await pending_migrations(context.pool)

    async def latest_chain_check() -> ChainCheck | None:
        if database is not None:
            return await database.ask(chain_checks.latest)
        return await chain_checks.latest(context.pool)

    async def no_chain() -> None:
        return None

    async def healthz(_: Request) -> JSONResponse:
        # PostgreSQL or Kafka away is no reason to restart the API (services/platform/
        # README.md, "Operating it"): it was answered 503, and an outage of three probes
        # restarted every API pod. "degraded" says which it waits for.
        probes = {"database": select_one, **({"kafka": kafka} if kafka else {})}
        lost, report = await asyncio.gather(
            unreachable(probes),
            chain.report(latest_chain_check, LIVENESS_DATABASE_SECONDS) if chain else no_chain(),
        )
        status, body = health_report(list(livenesses), report, lost)
        return JSONResponse(body, status_code=status)

    async def readyz(_: Request) -> JSONResponse:
        status, body = await readiness_report(migrations, kafka, lags)
        return JSONResponse(body, status_code=status)

    async def metrics(_: Request) -> Response:
        # The database's gauges are read as they are scraped; without the database the
        # process's own counters are still worth serving (the gauges keep their last value).
        try:
            async with asyncio.timeout(CHECK_SECONDS):
                await database_gauges.sample(context.pool, OUTBOX_TABLES)
                if lags is not None:
                    await lags()
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("metrics: the database's gauges could not be read: %s", error)
        body, content_type = exposition()
        return Response(body, media_type=content_type)

    graphql = GraphQLView(context, limits, verifier, known_queries)
    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            *console_routes(QUERIES, MUTATIONS),
            Mount(STATIC_PATH, static_files()),
            Route("/graphql", graphql),
            WebSocketRoute("/graphql", graphql),
            Route("/migration-plans/{plan_id}.{format}", export_endpoint(context.pool)),
            Route(
                "/exports/exclusions.{format}",
                exclusions_endpoint(context.pool, context.settings.clock),
            ),
        ],
        # A path nothing serves (`/migration-plans/p1` without `.csv`), or a method a path
        # does not (POST of an export), is refused as every other refusal is, in JSON with
        # its code, not Starlette's plain "Not Found" or "Method Not Allowed".
        exception_handlers={404: _not_found, 405: _method_not_allowed},
        middleware=[
            # First: the fan-out writes its frames past the others (websocket_frames.py).
            Middleware(KeepServerSend),
            Middleware(RequestIds),
            Middleware(RequestLimits, limits=limits),
            Middleware(BearerAuthentication, verifier=verifier),
            Middleware(OutageAnswers),
        ],
    )


async def _not_found(request: Request, _: Exception) -> Response:
    return error_response(404, f"nothing at {request.url.path}", code=ErrorCode.NOT_FOUND)


async def _method_not_allowed(request: Request, error: Exception) -> Response:
    # Starlette's routes say what they allow; its static files' refusal does not (GET, HEAD).
    given = error.headers if isinstance(error, HTTPException) and error.headers else {}
    methods = given.get("Allow", "GET, HEAD").split(",")
    allow = ", ".join(sorted(m.strip() for m in methods))  # Starlette's come from a set
    return error_response(
        405,
        f"{request.method} is not served at {request.url.path} (allowed: {allow})",
        code=ErrorCode.BAD_REQUEST,
        headers={"allow": allow},
    )
