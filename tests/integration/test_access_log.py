"""The API's access log: no line per request unless asked for (VENDORWATCH_ACCESS_LOG), as
`vendorwatch up` and `vendorwatch api` serve it (uvicorn on a real port)."""

from __future__ import annotations

import logging

import asyncpg
import pytest

from services.gateway.app import create_app
from services.platform.security.auth import AuthConfig, TokenVerifier
from tests.support.in_process_api import shared_context
from tests.support.principals import TEST_SECRET, token
from tests.support.served_api import served

pytestmark = pytest.mark.postgres

QUERY = "{ __typename }"


async def _requests_logged(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture, *, access_log: bool = False
) -> int:
    """How many access lines two requests (a GraphQL query and /healthz) left."""
    app = create_app(shared_context(pool), TokenVerifier(AuthConfig(hs256_secret=TEST_SECRET)))
    caplog.clear()
    async with served(app, access_log=access_log) as client:
        answer = await client.post(
            "/graphql", json={"query": QUERY}, headers={"authorization": f"Bearer {token()}"}
        )
        assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
    return sum(record.name == "uvicorn.access" for record in caplog.records)


async def test_no_access_line_per_request_unless_asked_for(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # Asked for first: uvicorn turns the log off by detaching its logger for the process.
    assert await _requests_logged(pool, caplog, access_log=True) == 2
    assert await _requests_logged(pool, caplog) == 0
