"""graphql-transport-ws messages of a shape the protocol can read, or the socket closed with
4400 and the reason, as the protocol has it for an invalid message.

strawberry's handler closes with 4400 a frame that is not JSON, but takes any JSON for a
message: an array, a number or a string (`message["type"]`), a `subscribe` whose payload is
not an object (`payload["query"]`) or whose id is not a string (an array is no key of its
operations) raised a TypeError inside it, which dropped the socket without a close code and
logged a traceback at ERROR. Each is refused here first, saying what was wrong.
"""

from __future__ import annotations

from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message

from services.platform.graphql.context import RequestContext

NOT_AN_OBJECT = "WebSocket message must be a JSON object"


def unreadable(message: Any) -> str | None:
    """Why the protocol cannot read `message` (what the client sent, parsed), or None."""
    if not isinstance(message, dict):
        return NOT_AN_OBJECT
    kind = message.get("type")
    if kind in ("subscribe", "complete") and not isinstance(message.get("id"), str):
        return f"{kind}: id must be a string"
    if kind == "subscribe" and not isinstance(message.get("payload"), dict):
        return "subscribe: payload must be an object"
    return None


class CheckedMessages(BaseGraphQLTransportWSHandler[RequestContext, None]):
    """strawberry's graphql-transport-ws handler, given only messages it can read."""

    async def handle_message(self, message: Message) -> None:
        problem = unreadable(message)
        if problem is not None:
            await self.handle_invalid_message(problem)
            return
        await super().handle_message(message)
