"""A consumer blocked without failing (an operator's `LOCK TABLE`, a DDL, a connection that no
longer answers) is stuck: /healthz, which reads the consumers' livenesses, reported it `ok`
and not stalled for as long as the lock was held, and nothing was logged. Its batch in
progress past the stall time (VENDORWATCH_STALL_SECONDS, shrunk here) now makes it stalled
(503), naming what it is doing and since when, said once as a WARNING, and once at INFO when
the batch ends."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.eventlog import embedded
from services.platform.operations.liveness import Liveness, health_report
from tests.support import case_b
from tests.support.processes import eventually
from tests.support.registry import REGISTRY

pytestmark = pytest.mark.postgres


async def test_a_consumer_blocked_on_a_lock_is_reported_stuck_and_then_recovered(
    pool: asyncpg.Pool,
    database_url: str,
    short_stalls: float,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="services.platform.operations.liveness")
    live = Liveness("registry")
    tailing = asyncio.create_task(embedded.run_consumers(pool, [REGISTRY], [live]))
    operator = await asyncpg.connect(database_url)
    try:
        await asyncio.sleep(0.5)  # the consumer has read the empty log and waits
        lock = operator.transaction()
        await lock.start()
        await operator.execute("LOCK TABLE registry_vendors IN ACCESS EXCLUSIVE MODE")
        await ingest_batch(pool, [case_b.line(case_b.registered())])

        async def reported_stuck() -> bool:
            return health_report([live])[0] == 503

        await eventually(reported_stuck, "/healthz to report the blocked consumer stalled")
        _, body = health_report([live])
        assert body["status"] == "stalled", body
        [report] = body["consumers"]
        assert report["consumer"] == "registry" and report["stalled"] and report["stuck"]
        assert report["failing_for_seconds"] == 0.0  # it fails nothing: it waits
        assert report["busy_for_seconds"] >= short_stalls
        assert report["doing"].startswith("applying a batch of 1 events"), report
        assert report["busy_since"].endswith("+00:00"), report
        warned = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warned) == 1, warned
        assert warned[0].getMessage().startswith("registry stuck: applying a batch of 1 events")

        await lock.rollback()  # the operator lets go

        async def applied() -> bool:
            count = await pool.fetchval("SELECT count(*) FROM registry_vendors")
            return bool(count) and health_report([live])[0] == 200

        await eventually(applied, "the consumer to apply the event and recover")
        assert health_report([live])[1]["status"] == "ok"
        [ended] = [r for r in caplog.records if r.levelno == logging.INFO]
        assert ended.getMessage().startswith(
            "registry no longer stuck: applying a batch of 1 events"
        ), ended.getMessage()
        assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    finally:
        await operator.close()
        tailing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tailing
