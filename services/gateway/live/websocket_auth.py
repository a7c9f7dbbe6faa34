"""Who may open and keep a GraphQL WebSocket (graphql-transport-ws), and how it is refused.

Every refusal says why, with a close code that tells a client whether to try again (the
reference `graphql-ws` client retries 4403 and gives up on 4401):

- 4401 and the reason ("token is not a JWT", "token signature is not valid", "no bearer
  token", …): no token, or one that will never be accepted; retrying cannot help;
- 4403 "token expired": the token ran out, at `connection_init` or while subscriptions were
  open (the socket is closed the moment it stops being accepted); a client reconnects with a
  renewed token (graphql-ws reads `connectionParams` again on every connect);
- a client that does not offer the `graphql-transport-ws` subprotocol (the legacy
  `graphql-ws` one, or none) is refused at the handshake: HTTP 400 with a GraphQL JSON error
  where the server can send one (uvicorn can), else the handshake's plain 403.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from starlette.types import Receive, Scope, Send
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage

from services.gateway.http.authentication import token_from_connection_params, verify
from services.gateway.live.websocket_messages import CheckedMessages
from services.platform.error_codes import ErrorCode
from services.platform.security.auth import AuthError, Principal, TokenVerifier

UNAUTHORIZED = 4401  # never retried by graphql-ws clients
EXPIRED = 4403  # retried: reconnect with a renewed token
EXPIRED_REASON = "token expired"


def refusal_code(error: AuthError) -> int:
    return EXPIRED if error.code is ErrorCode.TOKEN_EXPIRED else UNAUTHORIZED


class TokenCheckingHandler(CheckedMessages):
    """graphql-transport-ws (messages it cannot read refused: websocket_messages.py) with the
    caller verified at `connection_init` (unless the upgrade request carried a valid token)
    and the socket closed when its token expires."""

    verifier: TokenVerifier  # set on a subclass per app (`for_verifier`)
    _expiry: asyncio.Task[None] | None = None

    @classmethod
    def for_verifier(cls, verifier: TokenVerifier) -> type[TokenCheckingHandler]:
        return type("TokenCheckingHandler", (cls,), {"verifier": verifier})

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        if self.context.principal is None and not self.connection_init_received:
            payload = message.get("payload")
            params = payload if isinstance(payload, dict) else None
            try:
                self.context.principal = await verify(
                    self.verifier, token_from_connection_params(params)
                )
            except AuthError as error:
                await self.websocket.close(code=refusal_code(error), reason=str(error)[:120])
                return
        await super().handle_connection_init(message)
        principal = self.context.principal
        if self.connection_acknowledged and principal is not None and self._expiry is None:
            self._expiry = asyncio.create_task(self._close_when_expired(principal))

    async def _close_when_expired(self, principal: Principal) -> None:
        if principal.expires_at is None:
            return
        await asyncio.sleep(max(0.0, principal.expires_at - time.time()))
        await self.websocket.close(code=EXPIRED, reason=EXPIRED_REASON)

    async def shutdown(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._expiry
        await super().shutdown()


def speaks_our_protocol(scope: Scope) -> bool:
    return GRAPHQL_TRANSPORT_WS_PROTOCOL in scope.get("subprotocols", ())


async def refuse_handshake(scope: Scope, receive: Receive, send: Send) -> None:
    """Refuses a WebSocket upgrade that does not offer graphql-transport-ws, saying why."""
    await receive()  # websocket.connect
    offered = ", ".join(scope.get("subprotocols", ())) or "none"
    message = (
        f"the WebSocket subprotocol must be {GRAPHQL_TRANSPORT_WS_PROTOCOL}"
        f" (offered: {offered}); the legacy graphql-ws protocol is not served"
    )
    if "websocket.http.response" not in scope.get("extensions", {}):
        await send({"type": "websocket.close", "code": 1002, "reason": message})
        return
    body: Any = json.dumps({"errors": [{"message": message}]}).encode()
    await send(
        {
            "type": "websocket.http.response.start",
            "status": 400,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "websocket.http.response.body", "body": body})
