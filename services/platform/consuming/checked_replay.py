"""A rebuild's replay with the log's verification beside it, in a process of its own.

A rebuild must not make a tampered log the truth, so the chains are walked (`vendorwatch
verify`) before anything it replayed is committed. Walking them first, then replaying, had
the rebuild parse and hash every event before applying the first: a fifth of `rebuild all`.
Since a rebuild commits nothing until its replay is over (rebuilding.py), the walk can run
meanwhile instead; in this process it would take the event loop's CPU from the replay, so a
child process walks, on the other core (eventstore/walk_beside.py). A broken chain stops the
replay, and the rebuild is rolled back whole. Forced, the rebuild still walks, to say what it
went past: `--force` was told nothing of the log it replayed, and its count of the events it
read passed for the log's. Either way the walk's result is recorded (chain_checks.py), so
/healthz reports the broken chain a rebuild met. A walk that could not be made (its process
killed, no connection for it) refuses a rebuild; forced, the rebuild goes on and says that
the log was not verified, as what it went past.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.platform.consuming.rebuilding import BrokenChain
from services.platform.consuming.replay import Pass, Stage, replay
from services.platform.eventstore import chain_checks, event_reads
from services.platform.eventstore.event_reads import UnreadableStoredEvent
from services.platform.eventstore.walk_beside import WalkFailed, walk_in_child

# What a forced rebuild went past when the walk could not be made, before why.
NOT_VERIFIED = "not verified: "


@dataclass(frozen=True)
class Replayed:
    passed: Pass  # the replay's: the stored events it read, what each stage refused
    # What `force` went past: the problems the walk found (the first of each partition's
    # chain, then the heads' and ledgers'), none when the log is intact; "not verified: …"
    # when the walk could not be made.
    overridden: tuple[str, ...] = ()
    # When forced past problems: the events the chains' heads say were appended, which rows
    # removed or inserted make other than those read.
    numbered: int | None = None


async def replay_verified(
    pool: asyncpg.Pool, stages: Sequence[Stage], database_url: str, *, force: bool
) -> Replayed:
    """`replay.replay(pool, stages)`, the log walked meanwhile and the walk's result recorded
    (chain_checks.py); raises BrokenChain naming the problems found, or WalkFailed if the
    walk could not be made, unless `force`, once the replay is stopped."""
    replaying = asyncio.ensure_future(replay(pool, stages))
    walking = asyncio.ensure_future(_walked_beside(pool, database_url, force=force))
    try:
        await asyncio.wait((replaying, walking), return_when=asyncio.FIRST_EXCEPTION)
        if replaying.done() and isinstance(replaying.exception(), UnreadableStoredEvent):
            await walking  # an edited row breaks its chain: the walk says so, and where
        # The chain's verdict first: a replay that failed on a tampered event failed for it.
        for task in (walking, replaying):
            if task.done():
                task.result()
        overridden = await walking
        passed = await replaying
    finally:
        for task in (replaying, walking):
            task.cancel()
        await asyncio.gather(replaying, walking, return_exceptions=True)
    if not overridden:
        return Replayed(passed)
    # Only when forced past problems: an intact log's heads number exactly the events
    # stored, and a comparison would only find those appended since the replay's last read.
    async with pool.acquire() as conn:
        numbered = sum((await event_reads.heads(conn)).seqs)
    return Replayed(passed, overridden, numbered)


async def _walked_beside(pool: asyncpg.Pool, database_url: str, *, force: bool) -> tuple[str, ...]:
    """Walks the chains in a child process and records the result; raises BrokenChain naming
    what it found unless `force`, else returns it. A walk that could not be made raises
    WalkFailed unless `force`; forced, it is what the rebuild goes past (nothing recorded:
    /healthz keeps the last walk's result)."""
    try:
        walked = await walk_in_child(database_url)
    except WalkFailed as failed:
        if not force:
            raise
        return (f"{NOT_VERIFIED}{failed.why}",)
    await chain_checks.record(pool, walked.events, walked.problems, walked.heads)
    if walked.problems and not force:
        raise BrokenChain(
            f"the event log is broken ({'; '.join(walked.problems)}); --force rebuilds anyway"
        )
    return walked.problems
