"""The API's answers while its process starts (waiting for PostgreSQL, or Kafka in
distributed mode: operations/start_up.py), before there is anything to serve GraphQL with.

The port answers from the process's first moment, so that an orchestrator's probes find a
process that waits, not one that is not there: /healthz "degraded" (200) with `waiting_for`
naming the dependency, /readyz 503 naming it, /metrics the process's own series and
`vendorwatch_start_up_waiting` (Prometheus sees a process waiting, not a target down), the
console's page a short page of its own (503) saying what the service waits for and trying
again every few seconds, anything else 503 UNAVAILABLE. Between waits (the app being built,
when nothing is waited for) /healthz is 503 "starting", as unanswered as the port was before
it listened early. Once the app is given (`started`), every request is the app's.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.console.pages import PAGE_PATH
from services.platform.error_codes import ErrorCode
from services.platform.http_errors import error_response
from services.platform.operations.liveness import DEPENDENCIES, health_report
from services.platform.operations.metrics import exposition
from services.platform.operations.readiness import waiting_report
from services.platform.operations.start_up import StartUp

# What /readyz names between waits (the app being built): the process is not ready yet.
STARTING = {"start-up": "under way"}
# How often the page shown at the console's address while starting reloads itself.
RETRY_SECONDS = 5
# The WebSocket close code for "try again later" (RFC 6455's registry).
TRY_AGAIN_LATER = 1013


class Starting:
    """An ASGI app: the start-up's answers until `started`, then `app`'s."""

    def __init__(self, start_up: StartUp) -> None:
        self._start_up = start_up
        self._app: ASGIApp | None = None

    def started(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is not None:
            await self._app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": TRY_AGAIN_LATER})
            return
        if scope["type"] != "http":
            return
        waiting = self._start_up.waiting()
        response: Response
        if scope["path"] == "/healthz" and waiting:
            status, body = health_report([], None, waiting)
            response = JSONResponse(body, status_code=status)
        elif scope["path"] == "/healthz":
            # Building the app, a second or two, when the port did not answer at all before:
            # not "degraded", which a client waiting for the API to serve would take for it.
            response = JSONResponse({"status": "starting"}, status_code=503)
        elif scope["path"] == "/readyz":
            status, body = waiting_report(waiting or STARTING)
            response = JSONResponse(body, status_code=status)
        elif scope["path"] == "/metrics":
            exposed, content_type = exposition()
            response = Response(exposed, media_type=content_type)
        elif scope["path"] == PAGE_PATH:
            response = _starting_page(_waited_for(waiting))
        else:
            message = f"the API is starting (waiting for {_waited_for(waiting)}): try again shortly"
            response = error_response(503, message, code=ErrorCode.UNAVAILABLE)
        await response(scope, receive, send)


def _waited_for(waiting: Mapping[str, str]) -> str:
    return " and ".join(DEPENDENCIES[name] for name in waiting) or "its start"


def _starting_page(what: str) -> Response:
    """The console's address while the service starts: a person who opens it is told why
    there is no console yet, and the page reloads itself until the console is there."""
    page = _PAGE.format(seconds=RETRY_SECONDS, what=html.escape(what))
    return HTMLResponse(
        page,
        status_code=503,
        headers={
            "Retry-After": str(RETRY_SECONDS),
            "Cache-Control": "no-store",  # never shown again in the console's place
            "Content-Security-Policy": "default-src 'none'",
            "X-Content-Type-Options": "nosniff",
        },
    )


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="{seconds}">
<title>VendorWatch is starting</title>
</head>
<body>
<h1>VendorWatch is starting</h1>
<p>It is waiting for {what}. This page tries again every {seconds} seconds and shows the
console once the service is up.</p>
<p>Why it waits: <a href="/healthz">/healthz</a>.</p>
</body>
</html>
"""
