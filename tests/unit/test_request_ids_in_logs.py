"""A request's id is on the log lines written while it is served, and on nothing after: a
task it started (asyncpg's pool restoring its floor of connections while PostgreSQL is down)
logs without it once the answer is given."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from starlette.types import Receive, Scope, Send

from services.gateway.http.request_ids import HEADER, RequestIds
from services.platform.operations.logs import configure_logging

log = logging.getLogger("vendorwatch.test")


async def test_a_task_outliving_its_request_logs_without_the_request_s_id(
    capsys: pytest.CaptureFixture[str], root_logging: None
) -> None:
    configure_logging("info", "json")
    answered = asyncio.Event()
    later: list[asyncio.Task[None]] = []

    async def retrying() -> None:  # as the pool's maintenance task does, after the answer
        await answered.wait()
        log.warning("Failed to restore the pool connection floor; retrying")

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        later.append(asyncio.create_task(retrying()))
        log.info("serving")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> dict[str, object]:
        return {"type": "http.request"}

    async def send(message: dict[str, object]) -> None:
        pass

    scope = {"type": "http", "headers": [(HEADER.encode(), b"req-1")]}
    await RequestIds(app)(scope, receive, send)  # type: ignore[arg-type]
    answered.set()
    await later[0]
    serving, retried = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert (serving["message"], serving["request_id"]) == ("serving", "req-1")
    assert retried["message"].startswith("Failed to restore") and "request_id" not in retried
