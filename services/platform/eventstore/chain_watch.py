"""The long-running processes' periodic walk of the event store's chains, and its last result
for /healthz.

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
from dataclasses import dataclass
from functools import partial
from typing import Any

import asyncpg

from services.platform.eventstore.walk_beside import walk_in_child
from services.platform.operations.liveness import Liveness
from services.platform.operations.retry import until_done
from services.platform.postgres.session_state import keeps_session_state

VERIFY_EVERY = dt.timedelta(hours=1)
LOOK_SECONDS = 60.0
_LOCK_KEY = 0x5657_4348  # "VWCH"


@dataclass(frozen=True)
class ChainCheck:
    checked_at: dt.datetime
    events: int
    intact: bool
    problems: tuple[str, ...]

    def report(self) -> dict[str, Any]:
        return {
            "status": "intact" if self.intact else "broken",
            "checked_at": self.checked_at.isoformat(),
            "events": self.events,
            "first_problem": self.problems[0] if self.problems else None,
        }


class ChainWatch:
    """What this process knows of the last walk of the chains of the store at
    `database_url`."""

    def __init__(self, database_url: str, every: dt.timedelta = VERIFY_EVERY) -> None:
        self.database_url = database_url
        self.every = every
        self.last: ChainCheck | None = None

    def report(self) -> dict[str, Any]:
        return self.last.report() if self.last else {"status": "not checked yet"}

    async def look(self, pool: asyncpg.Pool) -> ChainCheck | None:
        """Walks the chains if the latest walk is older than the interval; remembers the
        latest result either way."""
        latest = await _latest(pool)
        if latest is None or dt.datetime.now(dt.UTC) - latest.checked_at >= self.every:
            async with pool.acquire() as conn:
                keeps_session_state(conn)
                if await conn.fetchval("SELECT pg_try_advisory_lock($1)", _LOCK_KEY):
                    try:
                        await _walk_and_record(pool, self.database_url)
                    finally:
                        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
            latest = await _latest(pool)
        self.last = latest
        return latest

    async def run(self, pool: asyncpg.Pool, live: Liveness) -> None:
        """Looks every minute, until cancelled; a failure (database away) is retried."""
        while True:
            await until_done(partial(self.look, pool), "chain verification", live)
            await asyncio.sleep(LOOK_SECONDS)


async def _walk_and_record(pool: asyncpg.Pool, database_url: str) -> None:
    walked = await walk_in_child(database_url)
    await pool.execute(
        "INSERT INTO chain_verifications (events, intact, problems) VALUES ($1, $2, $3)",
        walked.events,
        not walked.problems,
        list(walked.problems),
    )


async def _latest(pool: asyncpg.Pool) -> ChainCheck | None:
    row = await pool.fetchrow(
        "SELECT checked_at, events, intact, problems FROM chain_verifications"
        " ORDER BY id DESC LIMIT 1"
    )
    if row is None:
        return None
    return ChainCheck(row["checked_at"], row["events"], row["intact"], tuple(row["problems"]))
