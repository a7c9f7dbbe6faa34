"""Limits that keep the API safe to expose: refused before any resolver runs.

Document limits (depth, aliases, selections with fragments spread out, tokens as a cost proxy)
are GraphQL validation rules, so an over-limit query is answered with a clear error and no
work (document_limits.py: their cost grows with the document's text, not its spread-out
size); a document's length is refused before it is parsed or kept, over HTTP and over the
WebSocket alike (`too_long`); request size and time limits guard the HTTP transport, and the
server holds a WebSocket message to the body's size (`MAX_BODY_BYTES`, cli/serving.py).
Introspection can be switched off in production; when on, it is held to limits of its own
(introspection_limits.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import MaxTokensLimiter, SchemaExtension

from graphql import ASTValidationRule, NoSchemaIntrospectionCustomRule
from services.gateway.execution.document_limits import document_limits_rule
from services.gateway.execution.introspection_limits import (
    MAX_INTROSPECTION_DEPTH,
    introspection_rule,
)
from services.platform.error_codes import ErrorCode
from services.platform.http_errors import error_response
from services.platform.operations.logs import ANSWER_CUT_OFF_SAID

log = logging.getLogger(__name__)

# A request's body, and a WebSocket message: a 5,000-bidder screen's variables are ~400 KB.
MAX_BODY_BYTES = 2_000_000


@dataclass(frozen=True)
class Limits:
    # The deepest real operation (graphql/operations/) nests 5 levels.
    max_depth: int = 10
    max_aliases: int = 30
    # Tokens in one document: a 1,000-bidder screen is ~3,000; larger lists go in variables.
    max_tokens: int = 10_000
    # Selections with every fragment spread counted as its fragment's (document_limits.py):
    # no more than a document of `max_tokens` without fragments could hold.
    max_selections: int = 10_000
    # Characters in one document, comments and white space included (a comment or a string
    # is one token however long): the largest the API's own clients send is 1.7 KB, a
    # 1,000-bidder screen written out 37 KB; larger lists go in variables.
    max_document_chars: int = 100_000
    max_body_bytes: int = MAX_BODY_BYTES
    request_seconds: float = 30.0
    # The API's own: `Settings.graphql_introspection` (create_app).
    introspection: bool = True
    max_introspection_depth: int = MAX_INTROSPECTION_DEPTH

    def extensions(self) -> list[Callable[[], SchemaExtension]]:
        """Fresh extension instances per operation, as strawberry expects: the token limit,
        applied while parsing (document_checks.py keeps the parses, the limit in the key)."""
        return [partial(MaxTokensLimiter, max_token_count=self.max_tokens)]

    def too_long(self, query: object) -> str | None:
        """Why the document `query` is refused unparsed (REQUEST_TOO_LARGE), if it is."""
        if isinstance(query, str) and len(query) > self.max_document_chars:
            return (
                f"the GraphQL document is {len(query):,} characters; the limit is"
                f" {self.max_document_chars:,} (send long lists as variables)"
            )
        return None

    def validation_rules(self) -> list[type[ASTValidationRule]]:
        """The document limits, as rules run with the standard validation (once per
        distinct document: document_checks.py)."""
        rules: list[type[ASTValidationRule]] = [
            document_limits_rule(self.max_depth, self.max_aliases, self.max_selections)
        ]
        if self.introspection:
            rules.append(introspection_rule(self.max_introspection_depth, self.max_selections))
        else:
            rules.append(NoSchemaIntrospectionCustomRule)
        return rules


class RequestLimits:
    """ASGI middleware: refuses bodies over the size limit (413) and HTTP requests that take
    longer than the time limit (504), each with a JSON error a client can show.

    The size is checked on the bytes actually received, not only on Content-Length: a chunked
    body has none. The body is read here, at most one byte past the limit, before the app
    runs, so an oversized request is refused without being read whole or executed."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.max_body_bytes
        too_large = f"request body over {limit} bytes"
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and not length.isdigit():
            await error_response(
                400, "Content-Length is not a number of bytes", code=ErrorCode.BAD_REQUEST
            )(scope, receive, send)
            return
        if length is not None and int(length) > limit:
            await error_response(413, too_large, code=ErrorCode.REQUEST_TOO_LARGE)(
                scope, receive, send
            )
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            # A body trickled in slowly counts against the same time limit.
            async with asyncio.timeout(self.limits.request_seconds):
                body = await _read_body(receive, limit)
                if body is None:
                    await error_response(413, too_large, code=ErrorCode.REQUEST_TOO_LARGE)(
                        scope, receive, send
                    )
                    return
                await self.app(scope, _replay(body, receive), tracking_send)
        except _ClientGone:
            return
        except TimeoutError:
            if not started:
                took = f"request took over {self.limits.request_seconds:g} s"
                await error_response(504, took, code=ErrorCode.TIMEOUT)(scope, receive, send)
                return
            # Its answer begun, no error can be sent: the connection is closed on it, which
            # uvicorn logs as an ERROR naming no request. Said here, with the request's id;
            # uvicorn's line for it then left out (operations/logs.py, `_CutOffSaidOnce`).
            log.warning(
                "%s %s: its answer was cut off %g s into the request (read too slowly, or too"
                " long to send within the limit); its connection is closed",
                scope.get("method", ""),
                scope.get("path", ""),
                self.limits.request_seconds,
            )
            ANSWER_CUT_OFF_SAID.set(True)


class _ClientGone(Exception):
    """The client disconnected before its body was complete."""


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as more than `limit` bytes have arrived."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise _ClientGone  # nobody is left to answer
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The app's receive: the body already read, then whatever the client sends next
    (a disconnect)."""
    delivered = False

    async def replayed() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
