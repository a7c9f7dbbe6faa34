"""Receipts that must take turns from their look-up to their append (`receipts.submit`): two
requests giving one idempotency key (`one_at_a_time`), and two events claiming one thing an
event may claim alone, a vendor id or an identifier (`claiming`). Each would otherwise find
nothing in the other's way, and both answer accepted where one of them is refused."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import uuid
import weakref
from collections.abc import AsyncIterator, Sequence

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.platform.graphql.context import ClaimCheck
from services.platform.postgres.database import CONNECTIONS

# The keyed events being recorded, each while a request holds or awaits its lock.
_IN_FLIGHT: weakref.WeakValueDictionary[uuid.UUID, asyncio.Lock] = weakref.WeakValueDictionary()

# The class of the claims' advisory locks: the two-key form, which the one-key locks of the
# consumers, the migrations and the running settings never meet.
_CLAIMS = 0x76770001

# Claiming receipts holding a connection at once, per event loop: each holds it until its
# append, which takes another from the same pool, so that as many as the pool has would each
# wait for one none of them gives back. Half the main pool's, so reads go on beside them.
_HOLDERS = max(1, CONNECTIONS // 2)
_TURNS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


@contextlib.asynccontextmanager
async def one_at_a_time(event_id: uuid.UUID | None) -> AsyncIterator[None]:
    """For a keyed event (`event_id`), one request of this process at a time from the look-up
    of the log to the append, so that two requests giving one key for two events, at once, do
    not both find nothing held and both answer "accepted" while the log keeps one: the second
    finds the first (`reused_key`). A lock in the process, not PostgreSQL's: a session lock
    held a pooled connection while the look-up and the append waited for another, so ten keyed
    requests at once took the pool's ten and every request of the API waited out its time
    limit. Two API processes (distributed mode's replicas) are not kept apart by it; nor is the
    moment a Kafka append takes to be stored (ARCHITECTURE, "Idempotency keys")."""
    if event_id is None:
        yield
        return
    lock = _IN_FLIGHT.get(event_id)
    if lock is None:
        lock = _IN_FLIGHT[event_id] = asyncio.Lock()
    async with lock:
        yield


@contextlib.asynccontextmanager
async def claiming(
    pool: asyncpg.Pool, claims: Sequence[ClaimCheck], event: EventEnvelope
) -> AsyncIterator[tuple[Problem, ...]]:
    """The problems of the claim checks that judge `event`, judged holding a transaction's
    advisory lock of each key they name until the block (the append) is done: a receipt
    claiming one of them meanwhile waits, then reads the log holding this one's event.
    PostgreSQL's lock, not the process's: two API processes on one store are kept apart too.
    Locked one at a time in one order, so that two events claiming the same keys cannot
    each wait for the other; a hash of each key, two keys sharing one only waiting for each
    other. Without a key to claim, nothing is read and no connection held."""
    judging = [(claim, keys) for claim in claims if (keys := claim.keys(event))]
    if not judging:
        yield ()
        return
    locks = sorted({_lock_of(key) for _, keys in judging for key in keys})
    loop = asyncio.get_running_loop()
    turns = _TURNS.get(loop)
    if turns is None:
        turns = _TURNS[loop] = asyncio.Semaphore(_HOLDERS)
    async with turns, pool.acquire() as conn, conn.transaction():
        for lock in locks:
            await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", _CLAIMS, lock)
        problems = [await claim.check(conn, event) for claim, _ in judging]
        yield tuple(p for p in problems if p is not None)


def _lock_of(key: str) -> int:
    """A key's lock: a 32-bit hash of it, as the two-key form takes."""
    digest = hashlib.blake2b(key.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)
