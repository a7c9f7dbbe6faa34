"""Serving the ASGI app with uvicorn inside an already running event loop: from the process's
start, before the app can be built (`serving`: what it waits for meanwhile is answered)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from types import FrameType

import uvicorn
from starlette.applications import Starlette
from starlette.types import ASGIApp

from services.gateway.http.protection import MAX_BODY_BYTES
from services.gateway.http.starting import Starting
from services.platform.operations.liveness import Liveness
from services.platform.operations.retry import until_done
from services.platform.operations.start_up import StartUp

# Longer than the proxies' own keep-alive in front of the API (nginx: 60 s), as they expect.
KEEP_ALIVE_SECONDS = 75
# How long a stop waits for the answers under way: then it cancels them. Without a limit, one
# client that stopped reading a large answer (an export, the GraphiQL bundle) held the stop,
# and the embedded PostgreSQL, for as long as it kept its socket open, and a second SIGTERM
# did not help. Well inside Kubernetes' 30 s of grace before its SIGKILL.
GRACEFUL_STOP_SECONDS = 10

# A loop that runs beside the API until cancelled (a consumer, a relay, a job), started again
# with backoff if it ever fails (its liveness, reported on /healthz, says so meanwhile).
Background = Mapping[str, tuple[Callable[[], Awaitable[None]], Liveness]]


class _Server(uvicorn.Server):
    """uvicorn's server, a second SIGTERM forcing the stop as a second Ctrl-C does: it waited
    out the answers' GRACEFUL_STOP_SECONDS all the same (an operator's second `kill`).
    `on_stop` is called at the first signal, before the answers under way are waited for.

    Once shut down, uvicorn raises again every signal it caught, for the process to stop as
    it would have without it; only the first is kept. A second one reached the runner as a
    second interrupt, KeyboardInterrupt in the middle of a turn of the loop, and the runner
    cancelled every task at once, asyncpg's shielded returns of connections among them: the
    pool then waited 10 s for them at its close (tests/integration/test_stop_signal.py)."""

    def __init__(self, config: uvicorn.Config, on_stop: Callable[[], None] | None) -> None:
        super().__init__(config)
        self._on_stop = on_stop

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit and sig == signal.SIGTERM:
            self.force_exit = True
        if self._on_stop is not None:
            self._on_stop()
        super().handle_exit(sig, frame)
        del self._captured_signals[1:]


class Serving:
    """uvicorn serving a process that is starting (`serving`), until `run` hands it the app."""

    def __init__(self, gate: Starting, server: uvicorn.Server, task: asyncio.Task[None]) -> None:
        self._gate, self._server, self._task = gate, server, task

    async def run(self, app: Starlette, background: Background | None = None) -> None:
        """Serves `app` until Ctrl-C or SIGTERM (uvicorn handles both and shuts down
        gracefully), with the `background` loops (named) running alongside, started again
        whenever one fails, and cancelled when serving stops."""
        tasks = [
            asyncio.create_task(until_done(loop, name, liveness), name=name)
            for name, (loop, liveness) in (background or {}).items()
        ]
        self._gate.started(app)
        try:
            await self._task
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def close(self) -> None:
        """Stops serving (a start that failed), if uvicorn has not stopped already."""
        self._server.should_exit = True
        await asyncio.gather(self._task, return_exceptions=True)


@contextlib.asynccontextmanager
async def serving(
    host: str,
    port: int,
    start_up: StartUp,
    *,
    access_log: bool = False,
    forwarded_allow_ips: tuple[str, ...] = (),
    on_stop: Callable[[], None] | None = None,
) -> AsyncIterator[Serving]:
    """Listens on `host:port` at once, answering /healthz and /readyz from `start_up`'s
    waits (gateway/http/starting.py) while the block gets what the app needs; the block
    ends with `Serving.run`. uvicorn logs a line per request only with `access_log`, and
    believes X-Forwarded-For only from the proxies `forwarded_allow_ips` names;
    `on_stop` is called when a stop signal comes (`up`: its PostgreSQL is no longer kept)."""
    gate = Starting(start_up)
    server = _Server(_config(gate, host, port, access_log, forwarded_allow_ips), on_stop)
    started = Serving(gate, server, asyncio.create_task(server.serve(), name="uvicorn"))
    try:
        yield started
    finally:
        await started.close()


async def serve(
    app: Starlette,
    host: str,
    port: int,
    background: Background | None = None,
    *,
    access_log: bool = False,
    forwarded_allow_ips: tuple[str, ...] = (),
) -> None:
    """`serving` an app that needs no wait: `Serving.run` at once."""
    async with serving(
        host, port, StartUp(), access_log=access_log, forwarded_allow_ips=forwarded_allow_ips
    ) as server:
        await server.run(app, background)


def _config(
    app: ASGIApp, host: str, port: int, access_log: bool, forwarded_allow_ips: tuple[str, ...]
) -> uvicorn.Config:
    # Without log_config uvicorn's records go to the root logger, formatted like all others.
    # WebSocket messages are not compressed: a subscription's message is a few hundred bytes,
    # which deflate shrinks little, at a cost per message and subscriber at both ends (a
    # tenth of the API's work in a fan-out to 1,000 subscribers).
    # No access line per request unless asked for (VENDORWATCH_ACCESS_LOG): formatting and
    # writing a JSON line was 3% of an eligibility check's CPU, and a proxy in front (nginx
    # in the compose file) logs the same requests. Errors and refusals are still logged.
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="off",
        log_level="info",
        log_config=None,
        ws_per_message_deflate=False,
        # A message may be as large as a request's body (uvicorn's default is 16 MiB): a
        # client's largest, a 5,000-bidder screen's variables, is ~400 KB.
        ws_max_size=MAX_BODY_BYTES,
        # Named, not left to "auto": the subscription fan-out writes its frames to this
        # protocol's connections (gateway/live/websocket_frames.py), and another would silently
        # send every frame the slower ASGI way.
        ws="websockets-sansio",
        access_log=access_log,
        # The client address recorded with each event (recorded_by.client) is the socket's
        # unless the connection comes from a proxy named in VENDORWATCH_FORWARDED_ALLOW_IPS.
        # Left to uvicorn, it believed X-Forwarded-For from 127.0.0.1 (and from whatever its
        # own FORWARDED_ALLOW_IPS variable said): any local process could choose the address.
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=list(forwarded_allow_ips),
        # uvicorn's 5 s is shorter than a client's pause between requests often is, and a
        # request sent as the server closes fails with a reset connection on the client's side
        # (seen between the eligibility benchmark's rounds).
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=GRACEFUL_STOP_SECONDS,
    )
