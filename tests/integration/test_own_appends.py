"""`up`'s readers of the log take what its own ingest stored as it is handed at commit (its
notices wake no one), and read the log for what another process appended, so that a vendor's
events keep their order whichever way each one comes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.events.base import EventEnvelope
from services.ingest.handlers import Accepted, ingest_batch
from services.platform.eventlog import embedded
from services.platform.eventlog.own_appends import OwnAppends
from tests.support import case_b
from tests.support.event_examples import VALID_PAYLOADS, envelope
from tests.support.processes import eventually
from tests.support.registry import REGISTRY

pytestmark = pytest.mark.postgres

APPLIED = "SELECT refused FROM processed_events WHERE consumer = 'registry' AND event_id = $1"


@pytest.fixture(autouse=True)
def _no_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedded, "POLL_SECONDS", 600.0)  # far beyond the tests


async def _own(pool: asyncpg.Pool, own: OwnAppends, *events: dict[str, object]) -> None:
    """Ingest as `up` runs it: its notice is this process's, what it stored handed at commit."""
    outcomes = await ingest_batch(pool, [case_b.line(e) for e in events], notice=own.notice)
    own.stored([(o.place, o.envelope) for o in outcomes if isinstance(o, Accepted) and o.place])


async def _foreign(pool: asyncpg.Pool, *events: dict[str, object]) -> None:
    """Another process's ingest (`vendorwatch publish --database-url`): only its notice says."""
    await ingest_batch(pool, [case_b.line(e) for e in events])


@contextlib.asynccontextmanager
async def _running(task: asyncio.Task[None]) -> AsyncIterator[None]:
    try:
        await asyncio.sleep(1)  # its first read of the (empty) log, then it waits
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _contract() -> dict[str, object]:
    return envelope("contract.awarded", VALID_PAYLOADS["contract.awarded"], case_b.VENDOR)


async def _applied(pool: asyncpg.Pool, event: dict[str, object]) -> bool:
    refused = await pool.fetchval(APPLIED, event["event_id"])
    assert refused is not True, f"the registry refused {event['event_type']}"
    return refused is False


async def test_the_registry_applies_what_its_process_stored_as_it_is_handed(
    pool: asyncpg.Pool,
) -> None:
    own = OwnAppends()
    async with _running(asyncio.create_task(embedded.run_consumers(pool, [REGISTRY], own=own))):
        registered = case_b.registered()
        await _own(pool, own, registered)  # its notice is the process's own: it wakes no one
        await eventually(lambda: _applied(pool, registered), "the registry to apply it")


async def test_a_vendors_events_keep_their_order_when_another_process_stored_one_first(
    pool: asyncpg.Pool,
) -> None:
    # The registration comes from another process, the contract from this one right after:
    # handed first, the contract is not next in its partition, and the log gives both in order
    # (the other way round, the registry would refuse a contract of an unknown vendor).
    own = OwnAppends()
    async with _running(asyncio.create_task(embedded.run_consumers(pool, [REGISTRY], own=own))):
        registered, contract = case_b.registered(), _contract()
        await _foreign(pool, registered)
        await _own(pool, own, contract)
        await eventually(lambda: _applied(pool, contract), "the registry to apply the contract")
        assert await _applied(pool, registered)


async def test_follow_hands_on_its_process_events_and_reads_the_others_in_order(
    pool: asyncpg.Pool,
) -> None:
    own, followed = OwnAppends(), list[EventEnvelope]()
    async with _running(asyncio.create_task(embedded.follow(pool, followed.append, own))):
        first, second, third = case_b.registered(), _contract(), _contract()
        await _own(pool, own, first)
        await _foreign(pool, second)
        await _own(pool, own, third)
        await eventually(
            lambda: asyncio.sleep(0, len(followed) == 3), "follow to hand on all three"
        )
        assert [str(e.event_id) for e in followed] == [
            e["event_id"] for e in (first, second, third)
        ]
