"""Embedded adapter: the PostgreSQL event store is the log, tailed in-process.

Submitting runs ingest in the caller's process (it appends to the store); each consumer reads
the store after its durable position, woken by LISTEN/NOTIFY and, as a fallback, by polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial

import asyncpg

from services.events.base import EventEnvelope
from services.platform import event_store
from services.platform.consumer import BATCH_SIZE, Consumer, apply_batch
from services.platform.liveness import Liveness
from services.platform.retry import until_done

log = logging.getLogger(__name__)

Accept = Callable[[asyncpg.Pool, list[bytes]], Awaitable[object]]

POLL_SECONDS = 1.0


class EmbeddedEventLog:
    def __init__(self, pool: asyncpg.Pool, accept: Accept) -> None:
        self._pool = pool
        self._accept = accept

    async def submit(self, raws: Sequence[bytes]) -> None:
        await self._accept(self._pool, list(raws))


async def _position(pool: asyncpg.Pool, consumer: str) -> int:
    value = await pool.fetchval(
        "SELECT position FROM consumer_positions WHERE consumer = $1", consumer
    )
    return int(value or 0)


async def _drain(pool: asyncpg.Pool, consumer: Consumer) -> None:
    """Applies everything after the consumer's position, batch by batch."""
    position = await _position(pool, consumer.name)
    while True:
        async with pool.acquire() as conn:
            batch = await event_store.read_after(conn, position, BATCH_SIZE)
        if not batch:
            return
        position = batch[-1].position
        await apply_batch(pool, consumer, [e.envelope for e in batch], save_position=position)


async def _tail(
    pool: asyncpg.Pool, consumer: Consumer, wakeup: asyncio.Event, liveness: Liveness
) -> None:
    """Applies the store to `consumer` forever, woken by NOTIFY or, failing that, a poll."""
    while True:
        # Cleared before reading, so an append notified during the read is not missed.
        wakeup.clear()
        await until_done(partial(_drain, pool, consumer), f"{consumer.name} consumer", liveness)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wakeup.wait(), timeout=POLL_SECONDS)


async def run_consumers(
    pool: asyncpg.Pool, consumers: Sequence[Consumer], livenesses: Sequence[Liveness] = ()
) -> None:
    """Runs every consumer until cancelled, reporting progress to its liveness (by name)."""
    wakeups = [asyncio.Event() for _ in consumers]
    by_name = {live.name: live for live in livenesses}

    def notified(*_: object) -> None:
        for wakeup in wakeups:
            wakeup.set()

    listener = await pool.acquire()
    try:
        await listener.add_listener(event_store.NOTIFY_CHANNEL, notified)
        async with asyncio.TaskGroup() as group:
            for consumer, wakeup in zip(consumers, wakeups, strict=True):
                liveness = by_name.get(consumer.name) or Liveness(consumer.name)
                group.create_task(
                    _tail(pool, consumer, wakeup, liveness), name=f"tail:{consumer.name}"
                )
    finally:
        await listener.remove_listener(event_store.NOTIFY_CHANNEL, notified)
        await pool.release(listener)


async def follow(pool: asyncpg.Pool, handle: Callable[[EventEnvelope], None]) -> None:
    """Hands every event appended from now on to `handle`, in order, until cancelled; nothing
    is recorded (for live fan-out, which needs no durable position)."""
    wakeup = asyncio.Event()
    listener = await pool.acquire()
    try:
        await listener.add_listener(event_store.NOTIFY_CHANNEL, lambda *_: wakeup.set())
        position = int(await pool.fetchval("SELECT coalesce(max(position), 0) FROM event_store"))
        while True:
            wakeup.clear()
            async with pool.acquire() as conn:
                batch = await event_store.read_after(conn, position, BATCH_SIZE)
            for stored in batch:
                handle(stored.envelope)
            if batch:
                position = batch[-1].position
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), timeout=POLL_SECONDS)
    finally:
        await pool.release(listener)
