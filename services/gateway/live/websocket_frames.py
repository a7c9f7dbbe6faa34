"""A fan-out's frames written straight to each subscriber's connection.

Through ASGI, every message costs every subscriber its own trip: a wake of its sending task,
starlette's WebSocket state checks, each middleware's `send` wrapper, uvicorn's `send`, then
websockets framing the text, before the transport's write. For 1,000 subscribers of one
announcement that trip was most of the API's part of the fan-out. The fan-out's messages
differ only by the operation id, so their frames are made once per distinct text
(`text_frame`) and written to each connection's transport in one pass (`FrameWriter`).

Only on a connection that would frame them the same way: uvicorn's sans-I/O websockets
protocol (the one uvicorn picks when `websockets` is installed), handshake done, no extension
negotiated (compression would change the frames), not closing, and its transport not paused
(a full buffer: the frame then takes the ASGI way, which waits for the buffer to drain). Any
other server or state keeps the ASGI way, unchanged.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State

# The scope key under which the server's own `send` of a WebSocket is kept.
SERVER_SEND = "vendorwatch.server_send"


class KeepServerSend:
    """Keeps a WebSocket's `send` as the server gave it in its scope, before any middleware
    wraps it (to be the outermost middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SERVER_SEND] = send
        await self.app(scope, receive, send)


def text_frame(text: str) -> bytes:
    """The bytes of one unfragmented, unmasked text frame (a server's) holding `text`."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


class FrameWriter:
    """Writes whole frames to one uvicorn WebSocket connection, when it can take them now."""

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self._protocol = protocol

    @classmethod
    def of(cls, scope: MutableMapping[str, Any]) -> FrameWriter | None:
        """The connection's writer, or None when frames must go the ASGI way."""
        protocol = getattr(scope.get(SERVER_SEND), "__self__", None)
        if isinstance(protocol, WebSocketsSansIOProtocol) and not protocol.conn.extensions:
            return cls(protocol)
        return None

    def write(self, frame: bytes) -> bool:
        """Writes `frame` at once; False (nothing written) when the connection is not open for
        it or its buffer is full."""
        protocol = self._protocol
        if (
            protocol.conn.state is not State.OPEN
            or not protocol.handshake_complete
            or protocol.initial_response is not None
            or protocol.close_sent
            or protocol.disconnected
            or not protocol.writable.is_set()
            or protocol.transport.is_closing()
        ):
            return False
        protocol.transport.write(frame)
        return True
