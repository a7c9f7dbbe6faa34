"""Frames the fan-out writes past ASGI reach a real client over uvicorn as the messages they
hold, whatever their length (one, three or nine length bytes) and script; a connection that
is closing takes none of them, and one that compresses its messages is never written to."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import uvicorn
from starlette.types import Receive, Scope, Send
from websockets.asyncio.client import connect

from services.gateway.live.websocket_frames import FrameWriter, KeepServerSend, text_frame

MESSAGES = ["short", "入札停止 " * 20, "x" * 70_000]


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    """Accepts, writes every message directly, then checks a closed connection refuses; with
    compression negotiated, says so in its only message instead."""
    assert (await receive())["type"] == "websocket.connect"
    await send({"type": "websocket.accept"})
    writer = FrameWriter.of(scope)
    if writer is None:
        await send({"type": "websocket.send", "text": "no writer"})
        await send({"type": "websocket.close", "code": 1000})
        return
    assert all(writer.write(text_frame(message)) for message in MESSAGES)
    await send({"type": "websocket.close", "code": 1000})
    assert not writer.write(text_frame("after the close"))


@contextlib.asynccontextmanager
async def _server(deflate: bool = False) -> AsyncIterator[str]:
    """uvicorn's sans-I/O WebSocket protocol, as `vendorwatch up` runs it (serving.py), on a
    socket listening before it starts: a client's connection waits for it to accept."""
    listening = socket.create_server(("127.0.0.1", 0))
    config = uvicorn.Config(
        KeepServerSend(_app),
        lifespan="off",
        ws="websockets-sansio",
        ws_per_message_deflate=deflate,
        log_level="error",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listening]))
    try:
        yield f"ws://127.0.0.1:{listening.getsockname()[1]}/"
    finally:
        server.should_exit = True
        await task
        listening.close()


async def test_frames_written_directly_arrive_as_their_messages_and_stop_at_the_close() -> None:
    async with _server() as url, connect(url, max_size=None) as client:
        received = [message async for message in client]
    assert received == MESSAGES
    assert client.close_code == 1000


async def test_a_compressing_connection_keeps_the_asgi_way() -> None:
    async with _server(deflate=True) as url, connect(url) as client:
        received = [message async for message in client]
    assert received == ["no writer"]
