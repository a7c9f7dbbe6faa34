"""The results of walking the event store's chains, whoever walked them: the hourly watch
(chain_watch.py), `vendorwatch verify`, a rebuild's check (consuming/checked_replay.py).

Each is recorded in `chain_verifications`, and /healthz and /metrics report the latest
recorded by anyone, read when they answer: a process remembering only its own walks reported,
after a restart onto an edited log, the walk made before the edit for up to the rest of the
hour, and a failed `verify` or a rebuild refused for a broken chain did not show at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg


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
            "problems": len(self.problems),
            "first_problem": self.problems[0] if self.problems else None,
        }


async def record(pool: asyncpg.Pool, events: int, problems: Sequence[str]) -> None:
    """Records a walk's result: `events` walked, `problems` found (none: intact)."""
    await pool.execute(
        "INSERT INTO chain_verifications (events, intact, problems) VALUES ($1, $2, $3)",
        events,
        not problems,
        list(problems),
    )


async def latest(database: asyncpg.Pool | asyncpg.Connection) -> ChainCheck | None:
    """The latest result recorded; None before the first walk. `database`: a pool, or a
    connection (a probe's: /healthz, chain_watch.py)."""
    row = await database.fetchrow(
        "SELECT checked_at, events, intact, problems FROM chain_verifications"
        " ORDER BY id DESC LIMIT 1"
    )
    if row is None:
        return None
    return ChainCheck(row["checked_at"], row["events"], row["intact"], tuple(row["problems"]))
