"""Limits that keep the API safe to expose: refused before any resolver runs.

Document limits (depth, aliases, tokens as a cost proxy) are GraphQL validation rules, so an
over-limit query is answered with a clear error and no work; request size and time limits
guard the HTTP transport. Introspection can be switched off in production.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)


def _introspection_allowed() -> bool:
    return os.environ.get("VENDORWATCH_GRAPHQL_INTROSPECTION", "on").lower() not in {
        "off",
        "false",
        "0",
        "no",
    }


@dataclass(frozen=True)
class Limits:
    # The deepest real operation (graphql/operations/) nests 5 levels.
    max_depth: int = 10
    max_aliases: int = 30
    # Tokens in one document: a 1,000-bidder screen is ~3,000; larger lists go in variables.
    max_tokens: int = 10_000
    max_body_bytes: int = 2_000_000
    request_seconds: float = 30.0
    introspection: bool = field(default_factory=_introspection_allowed)

    def extensions(self) -> list[Callable[[], SchemaExtension]]:
        """Fresh extension instances per operation, as strawberry expects."""
        rules: list[Callable[[], SchemaExtension]] = [
            partial(QueryDepthLimiter, max_depth=self.max_depth),
            partial(MaxAliasesLimiter, max_alias_count=self.max_aliases),
            partial(MaxTokensLimiter, max_token_count=self.max_tokens),
        ]
        if not self.introspection:
            rules.append(DisableIntrospection)
        return rules


class RequestLimits:
    """ASGI middleware: refuses bodies over the size limit (413) and HTTP requests that take
    longer than the time limit (504), each with a JSON error a client can show."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and int(length) > self.limits.max_body_bytes:
            await _error(send, 413, f"request body over {self.limits.max_body_bytes} bytes")
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            async with asyncio.timeout(self.limits.request_seconds):
                await self.app(scope, receive, tracking_send)
        except TimeoutError:
            if not started:
                await _error(send, 504, f"request took over {self.limits.request_seconds:g} s")


async def _error(send: Send, status: int, message: str) -> None:
    body = json.dumps({"errors": [{"message": message}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})
