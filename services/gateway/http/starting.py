"""The API's answers while its process starts (waiting for PostgreSQL, or Kafka in
distributed mode: operations/start_up.py), before there is anything to serve GraphQL with.

The port answers from the process's first moment, so that an orchestrator's probes find a
process that waits, not one that is not there: /healthz "degraded" (200) with `waiting_for`
naming the dependency, /readyz 503 naming it, anything else 503 UNAVAILABLE. Between waits
(the app being built, when nothing is waited for) /healthz is 503 "starting", as unanswered
as the port was before it listened early. Once the app is given (`started`), every request
is the app's.
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.platform.error_codes import ErrorCode
from services.platform.http_errors import error_response
from services.platform.operations.liveness import DEPENDENCIES, health_report
from services.platform.operations.readiness import waiting_report
from services.platform.operations.start_up import StartUp

# What /readyz names between waits (the app being built): the process is not ready yet.
STARTING = {"start-up": "under way"}
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
        else:
            what = ", ".join(DEPENDENCIES[name] for name in waiting) or "its start"
            message = f"the API is starting (waiting for {what}): try again shortly"
            response = error_response(503, message, code=ErrorCode.UNAVAILABLE)
        await response(scope, receive, send)
