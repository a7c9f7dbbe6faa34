"""The results of walking the event store's chains, whoever walked them: the hourly watch
(chain_watch.py), `vendorwatch verify`, a rebuild's check (consuming/checked_replay.py).

Each is recorded in `chain_verifications`, and /healthz and /metrics report the latest
recorded by anyone, read when they answer: a process remembering only its own walks reported,
after a restart onto an edited log, the walk made before the edit for up to the rest of the
hour, and a failed `verify` or a rebuild refused for a broken chain did not show at all.
What `verify --heads FILE` finds against an auditor's file is not the log's state and is not
recorded here (cli/commands/event_log.py): a wrong file would mark the deployment broken.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.platform.eventstore import chain
from services.platform.postgres.database import Connection


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


async def record(
    pool: asyncpg.Pool,
    events: int,
    problems: Sequence[str],
    heads: Mapping[int, tuple[int, str]] | None = None,
) -> None:
    """Records a walk's result: `events` walked, `problems` found (none: intact) and, when
    intact, the `heads` it saw (partition → last seq and chain hash), which every later walk
    checks are still on the chain (walked_heads.py). A broken walk's heads are not kept: they
    may be those of rows a repair then removes."""
    seen = [heads.get(p, (0, chain.GENESIS)) for p in range(chain.PARTITIONS)] if heads else []
    kept = bool(seen) and not problems
    await pool.execute(
        """INSERT INTO chain_verifications (events, intact, problems, head_seqs, head_hashes)
           VALUES ($1, $2, $3, $4, $5)""",
        events,
        not problems,
        list(problems),
        [seq for seq, _ in seen] if kept else None,
        [link for _, link in seen] if kept else None,
    )


async def latest(database: asyncpg.Pool | Connection) -> ChainCheck | None:
    """The latest result recorded; None before the first walk. `database`: a pool, or a
    connection (a probe's: /healthz, chain_watch.py)."""
    row = await database.fetchrow(
        "SELECT checked_at, events, intact, problems FROM chain_verifications"
        " ORDER BY id DESC LIMIT 1"
    )
    if row is None:
        return None
    return ChainCheck(row["checked_at"], row["events"], row["intact"], tuple(row["problems"]))
