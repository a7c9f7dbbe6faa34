"""A rebuild's commit told to every long-running process, which forgets its caches then
(platform/rebuilt_caches.py).

The rebuild sends a NOTIFY in each transaction it commits: PostgreSQL delivers it only if
that transaction commits, and only after, so a process never forgets before the rebuilt rows
are there to be read again (nor for a rebuild that failed). A process listens on a kept
connection (notices.kept_listening); one that lost it missed whatever was sent meanwhile, so
it forgets too when it listens again.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from services.platform.consuming.notices import kept_listening
from services.platform.consuming.running_settings import Used, declare
from services.platform.postgres.database import Connection
from services.platform.rebuilt_caches import forget_rebuilt

REBUILT_CHANNEL = "vendorwatch_rebuilt"


async def announce_rebuilt(conn: Connection) -> None:
    """Inside a rebuild's transaction, before its commit: heard once (and if) it commits."""
    await conn.execute("SELECT pg_notify($1, '')", REBUILT_CHANNEL)


def _heard(*_notice: Any) -> None:
    forget_rebuilt()


async def forget_when_rebuilt(pool: asyncpg.Pool, process: str, used: Used) -> None:
    """Runs until cancelled: the process's rebuilt caches cleared after each rebuild commits,
    and on listening again after an outage (a rebuild may have committed unheard). What the
    caches held before this starts listening is cleared too, for the same reason. Its kept
    connection also says, for as long as it lasts, that `process` (running_settings.
    this_process) judges and scores with `used`, which a rebuild compares with its own."""

    async def declared(conn: Connection) -> None:
        await declare(conn, process, used)

    async with kept_listening(pool, REBUILT_CHANNEL, _heard, forget_rebuilt, declared):
        forget_rebuilt()
        await asyncio.Event().wait()
