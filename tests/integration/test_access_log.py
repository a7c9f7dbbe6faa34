"""The API's access log: no line per request unless asked for (VENDORWATCH_ACCESS_LOG), as
`vendorwatch up` and `vendorwatch api` serve it (uvicorn on a real port)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
import httpx
import pytest

from services.cli.serving import serve
from services.gateway.app import create_app
from services.platform.security.auth import AuthConfig, TokenVerifier
from tests.support.in_process_api import shared_context
from tests.support.principals import TEST_SECRET, token
from tests.support.processes import free_port

pytestmark = pytest.mark.postgres

QUERY = "{ __typename }"


async def _requests_logged(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture, *, access_log: bool = False
) -> int:
    """How many access lines two requests (a GraphQL query and /healthz) left."""
    app = create_app(shared_context(pool), TokenVerifier(AuthConfig(hs256_secret=TEST_SECRET)))
    port = free_port()
    caplog.clear()
    serving = asyncio.create_task(serve(app, "127.0.0.1", port, access_log=access_log))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(100):  # until uvicorn listens
                with contextlib.suppress(httpx.ConnectError):
                    await client.get("/healthz")
                    break
                await asyncio.sleep(0.05)
            answer = await client.post(
                "/graphql", json={"query": QUERY}, headers={"authorization": f"Bearer {token()}"}
            )
            assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
    finally:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
    return sum(record.name == "uvicorn.access" for record in caplog.records)


async def test_no_access_line_per_request_unless_asked_for(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # Asked for first: uvicorn turns the log off by detaching its logger for the process.
    assert await _requests_logged(pool, caplog, access_log=True) == 2
    assert await _requests_logged(pool, caplog) == 0
