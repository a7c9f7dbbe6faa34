"""A faust worker's /healthz (its page, `WorkerResources.health`) reports without opening
the worker's pool: opening it runs the migrations under the lock the worker's loops wait on,
and the report's half-second timeout could cancel that part-way (a reviewer's finding). Until
the worker has opened its pool, it reports the last verification it read, none at first."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import pytest

from services.platform.eventlog import faust_runtime
from services.platform.eventlog.faust_runtime import HealthEndpoint, WorkerResources, build_app
from services.platform.eventstore.chain_checks import ChainCheck
from services.platform.settings import Settings


async def test_a_worker_s_health_does_not_open_its_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []

    async def open_pool(database_url: str, **_: Any) -> Any:
        opened.append(database_url)
        await asyncio.sleep(5)  # migrating: longer than /healthz waits for the database
        raise AssertionError("/healthz opened the worker's pool")

    monkeypatch.setattr(faust_runtime, "open_pool", open_pool)
    settings = Settings(database_url="postgresql://worker@db/vendorwatch", kafka_bootstrap="k:9092")
    resources = WorkerResources(settings, "registry")
    app = build_app("registry", resources, HealthEndpoint("127.0.0.1", 6066))
    page = app.web.views["/healthz"]

    async def health() -> tuple[int, dict[str, Any]]:
        answer = await page.get(None)  # the page's handler, as faust's web server calls it
        return answer.status, json.loads(answer.body)

    status, body = await health()
    assert (status, body["chain"]) == (200, {"status": "not checked yet"})
    assert opened == []
    # The last verification the worker read, while its pool is not open.
    checked_at = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
    resources.chain.last = ChainCheck(checked_at, 12, False, ("partition 3: seq 4 changed",))
    status, body = await health()
    assert body["chain"]["status"] == "broken"
    assert body["chain"]["first_problem"] == "partition 3: seq 4 changed"
    assert opened == []
