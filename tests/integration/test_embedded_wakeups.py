"""Embedded consumers are woken, not polled: the registry by the append's NOTIFY, a service
after it by the registry's progress (an append alone does not wake it: it could read nothing
the registry has not judged)."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import pytest

from services.events.base import EventEnvelope
from services.ingest.handlers import ingest_batch
from services.platform.consuming.consumer import Consumer
from services.platform.eventlog import embedded
from services.platform.postgres.database import Connection
from tests.support import case_b
from tests.support.event_examples import VALID_PAYLOADS, envelope
from tests.support.processes import eventually
from tests.support.registry import REGISTRY

pytestmark = pytest.mark.postgres


async def _count(_conn: Connection, _event: EventEnvelope) -> None:
    """Applies nothing: the ledger row is what the test looks at."""


DOWNSTREAM = Consumer("downstream", {"contract.awarded": _count}, verdict_from="registry")


async def test_a_service_after_the_registry_runs_when_the_registry_has_judged(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded, "POLL_SECONDS", 600.0)  # far beyond the test: no polls
    contract = envelope("contract.awarded", VALID_PAYLOADS["contract.awarded"], case_b.VENDOR)
    tailing = asyncio.create_task(embedded.run_consumers(pool, [REGISTRY, DOWNSTREAM]))
    try:
        # Both consumers read the (empty) log once as they start, then wait for a wake-up.
        await asyncio.sleep(1)
        await ingest_batch(pool, [case_b.line(e) for e in (case_b.registered(), contract)])

        async def applied_downstream() -> bool:
            return bool(
                await pool.fetchval(
                    "SELECT count(*) FROM processed_events WHERE consumer = 'downstream'"
                    " AND event_id = $1",
                    contract["event_id"],
                )
            )

        await eventually(applied_downstream, "the service after the registry to apply it")
    finally:
        tailing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tailing
