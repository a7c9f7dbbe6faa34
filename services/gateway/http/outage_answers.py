"""An HTTP route that meets PostgreSQL out of reach (an export while the database restarts)
answers 503 `UNAVAILABLE` with `Retry-After`, in JSON as every refusal, logged in one line.
Starlette's default was a plain-text 500 and an ERROR traceback, which are for faults of ours;
GraphQL requests say the same in their errors (`execution/errors.py`)."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.platform.error_codes import ErrorCode
from services.platform.http_errors import error_response
from services.platform.operations.outages import out_of_reach, unavailable

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class OutageAnswers:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            what = out_of_reach(error)
            if started or what is None:
                raise  # a fault of ours, or an answer already under way: the server's to log
            log.warning("%s %s: %s out of reach: %s", scope["method"], scope["path"], what, error)
            refusal = error_response(
                503,
                unavailable(what, recording=scope["method"] not in ("GET", "HEAD")),
                code=ErrorCode.UNAVAILABLE,
                headers={"retry-after": str(RETRY_AFTER_SECONDS)},
            )
            await refusal(scope, receive, send)
