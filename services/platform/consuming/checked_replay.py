"""A rebuild's replay with the log's verification beside it, in a process of its own.

A rebuild must not make a tampered log the truth, so the chains are walked (`vendorwatch
verify`) before anything it replayed is committed. Walking them first, then replaying, had
the rebuild parse and hash every event before applying the first: a fifth of `rebuild all`.
Since a rebuild commits nothing until its replay is over (rebuilding.py), the walk can run
meanwhile instead; in this process it would take the event loop's CPU from the replay, so a
child process walks, on the other core (eventstore/walk_beside.py). A broken chain stops the
replay, and the rebuild is rolled back whole. The walk's result is recorded
(chain_checks.py), so /healthz reports the broken chain a rebuild met.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import asyncpg

from services.platform.consuming.rebuilding import BrokenChain
from services.platform.consuming.replay import Stage, replay
from services.platform.eventstore import chain_checks
from services.platform.eventstore.event_store import UnreadableStoredEvent
from services.platform.eventstore.walk_beside import walk_in_child


async def replay_verified(
    pool: asyncpg.Pool, stages: Sequence[Stage], database_url: str, *, force: bool
) -> int:
    """`replay.replay(pool, stages)`, the log walked meanwhile (its result recorded) unless
    `force`; raises BrokenChain naming the problems found (WalkFailed if the walk could not
    be made), once the replay is stopped."""
    if force:
        return await replay(pool, stages)
    replaying = asyncio.ensure_future(replay(pool, stages))
    walking = asyncio.ensure_future(_walked_beside(pool, database_url))
    try:
        await asyncio.wait((replaying, walking), return_when=asyncio.FIRST_EXCEPTION)
        if replaying.done() and isinstance(replaying.exception(), UnreadableStoredEvent):
            await walking  # an edited row breaks its chain: the walk says so, and where
        # The chain's verdict first: a replay that failed on a tampered event failed for it.
        for task in (walking, replaying):
            if task.done():
                task.result()
        await walking
        return await replaying
    finally:
        for task in (replaying, walking):
            task.cancel()
        await asyncio.gather(replaying, walking, return_exceptions=True)


async def _walked_beside(pool: asyncpg.Pool, database_url: str) -> None:
    """Walks the chains in a child process and records the result; raises BrokenChain naming
    what it found."""
    walked = await walk_in_child(database_url)
    await chain_checks.record(pool, walked.events, walked.problems)
    if walked.problems:
        raise BrokenChain(
            f"the event log is broken ({'; '.join(walked.problems)}); --force rebuilds anyway"
        )
