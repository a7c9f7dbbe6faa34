"""graphql-transport-ws messages of a shape the protocol can read, or the socket closed with
4400 and the reason, as the protocol has it for an invalid message.

strawberry's handler closes with 4400 a frame that is not JSON, but takes any JSON for a
message: an array, a number or a string (`message["type"]`), a `subscribe` whose payload is
not an object (`payload["query"]`) or whose id is not a string (an array is no key of its
operations) raised a TypeError inside it, which dropped the socket without a close code and
logged a traceback at ERROR. Each is refused here first, saying what was wrong.

A `subscribe` whose document is over the length limit (`Limits.too_long`, as over HTTP) is
answered with an `error` message for its id (REQUEST_TOO_LARGE) before it is parsed or kept;
the socket and its other operations go on. A message over the size of a request's body is
refused by the server itself (cli/serving.py: closed with 1009, message too big).
"""

from __future__ import annotations

from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ErrorMessage, Message

from graphql import GraphQLError
from services.gateway.http.protection import Limits
from services.platform.error_codes import ErrorCode
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
    """strawberry's graphql-transport-ws handler, given only messages it can read, and
    documents within the length limit."""

    limits: Limits = Limits()  # the app's, set on a subclass per app (`FanOutHandler.for_view`)

    async def handle_message(self, message: Message) -> None:
        problem = unreadable(message)
        if problem is not None:
            await self.handle_invalid_message(problem)
            return
        if message["type"] == "subscribe" and self.connection_acknowledged:
            too_long = self.limits.too_long(message["payload"].get("query"))
            if too_long is not None:
                error = GraphQLError(too_long, extensions={"code": ErrorCode.REQUEST_TOO_LARGE})
                refusal = ErrorMessage(id=message["id"], type="error", payload=[error.formatted])
                await self.send_message(refusal)
                return
        await super().handle_message(message)
