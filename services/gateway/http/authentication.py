"""Bearer tokens at the door: without a valid one, only the health endpoint (and the console's
and GraphiQL's pages and scripts, which hold no data) answers. WebSocket clients may send the
token on the upgrade request or, as browsers must, in graphql-transport-ws `connection_init`."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from services.console.pages import ASSETS_PREFIX, PAGE_PATH
from services.gateway.http.graphiql import asks_for_the_page
from services.platform.http_errors import error_response
from services.platform.security.auth import AuthError, Principal, TokenVerifier

# Probes and the metrics scraper hold no token; the console and GraphiQL are public code (the
# console asks for the token it then sends to /graphql).
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics", PAGE_PATH})
OPEN_PREFIXES = ("/static/", ASSETS_PREFIX)


def _header(scope: Scope, name: bytes) -> str | None:
    value = dict(scope["headers"]).get(name)
    return value.decode("latin-1") if value is not None else None


def _is_ide_page(scope: Scope) -> bool:
    """A browser asking for the GraphiQL page, as the view tells it (graphiql.py); a request
    with something to run needs a token like any other."""
    params = QueryParams(scope.get("query_string", b""))
    accept = _header(scope, b"accept") or ""
    return scope["path"] == "/graphql" and asks_for_the_page(scope["method"], accept, params)


async def verify(verifier: TokenVerifier, authorization: str | None) -> Principal:
    remembered = verifier.remembered(authorization)
    if remembered is not None:
        return remembered
    # A JWKS fetch may block on the network: keep it off the event loop.
    return await asyncio.to_thread(verifier.principal_from_header, authorization)


def token_from_connection_params(params: Mapping[str, Any] | None) -> str | None:
    """The Authorization value a WebSocket client sent in connection_init's payload."""
    if not params:
        return None
    for key in ("Authorization", "authorization"):
        if isinstance(params.get(key), str):
            return str(params[key])
    token = params.get("token")
    return f"Bearer {token}" if isinstance(token, str) else None


class BearerAuthentication:
    """ASGI middleware: puts the verified caller in `scope["state"]["principal"]`, or answers
    401 saying why."""

    def __init__(self, app: ASGIApp, verifier: TokenVerifier) -> None:
        self.app = app
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] not in ("http", "websocket")
            or path in OPEN_PATHS
            or path.startswith(OPEN_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        authorization = _header(scope, b"authorization")
        state = scope.setdefault("state", {})
        if scope["type"] == "websocket" or (scope["type"] == "http" and _is_ide_page(scope)):
            # Checked later (connection_init), or not needed (the IDE page has no data).
            if authorization is not None:
                try:
                    state["principal"] = await verify(self.verifier, authorization)
                except AuthError:
                    state["principal"] = None
            await self.app(scope, receive, send)
            return
        try:
            state["principal"] = await verify(self.verifier, authorization)
        except AuthError as error:
            # RFC 6750 §3.1: a request without credentials is told no error, only the scheme.
            challenge = "Bearer" if authorization is None else 'Bearer error="invalid_token"'
            bearer = {"www-authenticate": challenge}
            await error_response(401, str(error), code=error.code, headers=bearer)(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)
