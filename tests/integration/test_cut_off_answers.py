"""An answer the API's time limit cuts off, as its log says it when served by uvicorn on a real
port: one WARNING naming the request, not that and uvicorn's ERROR "ASGI callable returned
without completing response." naming nothing (a tester's finding: one event, two lines). The
same ERROR for an app that leaves its answer unfinished of itself is a fault, and kept."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from services.cli.serving import serve
from services.gateway.http.protection import Limits, RequestLimits
from services.gateway.http.request_ids import RequestIds
from services.platform.operations.logs import configure_logging
from tests.support.processes import free_port

UNFINISHED = "ASGI callable returned without completing response."


async def _begun(scope: Scope, receive: Receive, send: Send) -> None:
    """Begins its answer; on /stalled, then takes longer than the limit (a large answer to a
    client reading slowly); on /unfinished, returns with it unfinished (a fault of its own)."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"[", "more_body": True})
    if scope["path"] == "/stalled":
        await asyncio.Event().wait()


@contextlib.asynccontextmanager
async def _served() -> AsyncIterator[int]:
    """The app behind the gateway's request ids and time limit (0.5 s), on uvicorn."""
    app = Starlette(
        routes=[Mount("/", app=_begun)],
        middleware=[
            Middleware(RequestIds),
            Middleware(RequestLimits, limits=Limits(request_seconds=0.5)),
        ],
    )
    port = free_port()
    serving = asyncio.create_task(serve(app, "127.0.0.1", port))
    try:
        yield port
    finally:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving


async def _requested(port: int, path: str, request_id: str) -> bytes:
    """What a client reads of `path`'s answer until the server closes the connection."""
    for _ in range(100):  # until uvicorn listens
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            break
        except OSError:
            await asyncio.sleep(0.05)
    else:
        raise AssertionError("uvicorn never listened")
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nX-Request-ID: {request_id}\r\n\r\n".encode())
    try:
        return await reader.read()  # to its end: the connection closed on the answer
    finally:
        writer.close()


def _lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


async def test_an_answer_cut_off_by_the_time_limit_is_one_warning(
    capsys: pytest.CaptureFixture[str], root_logging: None
) -> None:
    configure_logging("info", "text")
    async with _served() as port:
        answer = await _requested(port, "/stalled", "cut-1")
    assert answer.startswith(b"HTTP/1.1 200"), answer
    logged = _lines(capsys)
    [said] = [line for line in logged if "cut off" in line]
    assert " WARNING " in said and "GET /stalled" in said and "request_id=cut-1" in said
    assert not [line for line in logged if " ERROR " in line or UNFINISHED in line], logged


async def test_an_answer_an_app_leaves_unfinished_is_still_an_error(
    capsys: pytest.CaptureFixture[str], root_logging: None
) -> None:
    configure_logging("info", "text")
    async with _served() as port:
        await _requested(port, "/unfinished", "unfinished-1")
        # A cut-off answer said before it on the same server leaves the next one's ERROR.
        await _requested(port, "/stalled", "cut-2")
        await _requested(port, "/unfinished", "unfinished-2")
    logged = _lines(capsys)
    errors = [line for line in logged if " ERROR " in line]
    assert len(errors) == 2 and all(UNFINISHED in line for line in errors), logged
    assert not [line for line in logged if "cut off" in line and "cut-2" not in line], logged
