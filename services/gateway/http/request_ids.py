"""Every HTTP request gets an id: the caller's X-Request-ID when it is a sane one (a proxy's),
or a fresh one. It is on every log line written while serving the request and is returned in
the response's X-Request-ID, so a client's report can be found in the logs."""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.platform.operations.logs import REQUEST, ServedRequest

HEADER = "x-request-id"
# A caller's id is logged as it is: only a short, plain one is taken.
_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class RequestIds:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER.encode(), b"").decode("latin-1")
        request_id = given if _SANE.match(given) else uuid.uuid4().hex
        request = ServedRequest(request_id)
        token = REQUEST.set(request)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # Tasks started while serving it hold it in their copy of the context.
            request.over = True
            REQUEST.reset(token)
