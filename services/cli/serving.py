"""Serving the ASGI app with uvicorn inside an already running event loop."""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Awaitable, Callable, Mapping

import uvicorn
from starlette.applications import Starlette

from services.platform.errors import StartupError
from services.platform.operations.liveness import Liveness
from services.platform.operations.retry import until_done

# Longer than the proxies' own keep-alive in front of the API (nginx: 60 s), as they expect.
KEEP_ALIVE_SECONDS = 75

# A loop that runs beside the API until cancelled (a consumer, a relay, a job), started again
# with backoff if it ever fails (its liveness, reported on /healthz, says so meanwhile).
Background = Mapping[str, tuple[Callable[[], Awaitable[None]], Liveness]]


def ensure_port_free(host: str, port: int) -> None:
    """Fails with one clear line instead of uvicorn's bind traceback."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise StartupError(
                    f"port {port} on {host} is already in use; choose another with --port"
                ) from error
            raise StartupError(f"cannot listen on {host}:{port}: {error.strerror}") from error


async def serve(
    app: Starlette,
    host: str,
    port: int,
    background: Background | None = None,
    *,
    access_log: bool = False,
) -> None:
    """Runs until Ctrl-C or SIGTERM (uvicorn handles both and shuts down gracefully), with
    the `background` loops (named) running alongside, started again whenever one fails, and
    cancelled when serving stops; uvicorn logs a line per request only with `access_log`."""
    tasks = [
        asyncio.create_task(until_done(loop, name, liveness), name=name)
        for name, (loop, liveness) in (background or {}).items()
    ]
    # Without log_config uvicorn's records go to the root logger, formatted like all others.
    # WebSocket messages are not compressed: a subscription's message is a few hundred bytes,
    # which deflate shrinks little, at a cost per message and subscriber at both ends (a
    # tenth of the API's work in a fan-out to 1,000 subscribers).
    # No access line per request unless asked for (VENDORWATCH_ACCESS_LOG): formatting and
    # writing a JSON line was 3% of an eligibility check's CPU, and a proxy in front (nginx
    # in the compose file) logs the same requests. Errors and refusals are still logged.
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="off",
        log_level="info",
        log_config=None,
        ws_per_message_deflate=False,
        # Named, not left to "auto": the subscription fan-out writes its frames to this
        # protocol's connections (gateway/live/websocket_frames.py), and another would silently
        # send every frame the slower ASGI way.
        ws="websockets-sansio",
        access_log=access_log,
        # uvicorn's 5 s is shorter than a client's pause between requests often is, and a
        # request sent as the server closes fails with a reset connection on the client's side
        # (seen between the eligibility benchmark's rounds).
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    try:
        await uvicorn.Server(config).serve()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
