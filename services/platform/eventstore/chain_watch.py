"""The long-running processes' periodic walk of the event store's chains, and the latest
result recorded by anyone (chain_checks.py) for /healthz.

One walk per interval for the whole deployment: every process looks at the latest result
each minute, and the one that finds it stale (and wins an advisory lock) has a child process
walk again (walk_beside.py: not in a thread of its own, where it would slow every request
and consumer of the process for the walk's duration). A broken chain is reported, not
answered with 503: restarting a process cannot mend history, and an orchestrator would only
restart it in a loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import asyncpg

from services.platform.eventstore import chain_checks
from services.platform.eventstore.chain_checks import ChainCheck
from services.platform.eventstore.walk_beside import walk_in_child
from services.platform.operations.liveness import Liveness
from services.platform.operations.retry import until_done
from services.platform.postgres.session_state import keeps_session_state

VERIFY_EVERY = dt.timedelta(hours=1)
LOOK_SECONDS = 60.0
_LOCK_KEY = 0x5657_4348  # "VWCH"


class ChainWatch:
    """The walks of the chains of the store at `database_url`, and the latest result."""

    def __init__(self, database_url: str, every: dt.timedelta = VERIFY_EVERY) -> None:
        self.database_url = database_url
        self.every = every
        self.last: ChainCheck | None = None  # the latest read, kept for when none can be

    async def report(
        self, read: Callable[[], Awaitable[ChainCheck | None]], seconds: float
    ) -> dict[str, Any]:
        """The latest result recorded by anyone, read now by `read` (within `seconds`); the
        latest this process read when the database does not answer. `read` asks on the
        process's probe connection (database_probe.py), not through its pool: a pool busy to
        its last connection for the `seconds` (an import, a rebuild) read as no answer, and
        /healthz reported an older result, or "not checked yet", for the one recorded."""
        try:
            async with asyncio.timeout(seconds):
                self.last = await read()
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            pass
        return self.last.report() if self.last else {"status": "not checked yet"}

    async def look(self, pool: asyncpg.Pool) -> ChainCheck | None:
        """Walks the chains if the latest walk is older than the interval, or dated after
        now; remembers the latest result either way."""
        if await _due(pool, self.every):
            async with pool.acquire() as conn:
                keeps_session_state(conn)
                if await conn.fetchval("SELECT pg_try_advisory_lock($1)", _LOCK_KEY):
                    try:
                        await _walk_and_record(pool, self.database_url)
                    finally:
                        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
        latest = await chain_checks.latest(pool)
        self.last = latest
        return latest

    async def run(self, pool: asyncpg.Pool, live: Liveness) -> None:
        """Looks every minute, until cancelled; a failure (database away) is retried."""
        while True:
            await until_done(partial(self.look, pool), "chain verification", live)
            await asyncio.sleep(LOOK_SECONDS)


async def _due(pool: asyncpg.Pool, every: dt.timedelta) -> bool:
    """Whether the latest walk recorded is `every` old, or none was: its age by the
    database's clock, which dates every row (platform migration 0018), so that no skew of
    this process's clock counts. A row dated after now was written with that trigger
    disabled, by hand: it is no walk, and a walk is due (it stopped the watch for good)."""
    age: dt.timedelta | None = await pool.fetchval(
        "SELECT now() - checked_at FROM chain_verifications ORDER BY id DESC LIMIT 1"
    )
    return age is None or not dt.timedelta(0) <= age < every


async def _walk_and_record(pool: asyncpg.Pool, database_url: str) -> None:
    walked = await walk_in_child(database_url)
    await chain_checks.record(pool, walked.events, walked.problems, walked.heads)
