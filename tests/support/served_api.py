"""The API's app served as `vendorwatch up` and `vendorwatch api` serve it (uvicorn on a real
port of 127.0.0.1, `services.cli.serving.serve` with the options given), and a client of it
once it listens."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
from starlette.applications import Starlette

from services.cli.serving import serve
from tests.support.processes import free_port


@contextlib.asynccontextmanager
async def served(app: Starlette, **options: Any) -> AsyncIterator[httpx.AsyncClient]:
    port = free_port()
    serving = asyncio.create_task(serve(app, "127.0.0.1", port, **options))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(100):  # until uvicorn listens
                with contextlib.suppress(httpx.ConnectError):
                    await client.get("/healthz")
                    break
                await asyncio.sleep(0.05)
            yield client
    finally:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
