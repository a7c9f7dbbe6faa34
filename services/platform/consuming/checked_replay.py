"""A rebuild's replay with the log's verification beside it, in a process of its own.

A rebuild must not make a tampered log the truth, so the chains are walked (`vendorwatch
verify`) before anything it replayed is committed. Walking them first, then replaying, had
the rebuild parse and hash every event before applying the first: a fifth of `rebuild all`.
Since a rebuild commits nothing until its replay is over (rebuilding.py), the walk can run
meanwhile instead; in this process it would take the event loop's CPU from the replay, so it
runs in a child process, on the other core, and sends back what it found. A broken chain
stops the replay, and the rebuild is rolled back whole.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
from collections.abc import Sequence
from multiprocessing.connection import Connection as Pipe

import asyncpg

from services.platform.consuming.rebuilding import BrokenChain, ChainUnchecked
from services.platform.consuming.replay import Stage, replay
from services.platform.eventstore import verification
from services.platform.postgres.database import open_pool


async def replay_verified(
    pool: asyncpg.Pool, stages: Sequence[Stage], database_url: str, *, force: bool
) -> int:
    """`replay.replay(pool, stages)`, the log walked meanwhile unless `force`; raises
    BrokenChain naming the problems found (ChainUnchecked if the walk could not be made),
    once the replay is stopped."""
    if force:
        return await replay(pool, stages)
    replaying = asyncio.ensure_future(replay(pool, stages))
    walking = asyncio.ensure_future(_walked_beside(database_url))
    try:
        await asyncio.wait((replaying, walking), return_when=asyncio.FIRST_EXCEPTION)
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


async def _walked_beside(database_url: str) -> None:
    """Walks the chains in a child process; raises BrokenChain naming what it found."""
    context = multiprocessing.get_context("spawn")  # no copy of this process's loop and pools
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_walk, args=(database_url, sending), daemon=True)
    child.start()
    sending.close()
    try:
        # A child that dies closes its end: recv raises EOFError instead of waiting forever.
        found: tuple[list[str], str | None] = await asyncio.to_thread(receiving.recv)
    except EOFError:
        raise ChainUnchecked(
            f"the event log could not be verified: its check ended ({child.exitcode})"
        ) from None
    finally:
        if child.is_alive():
            child.terminate()  # the replay failed, or was stopped: its check is moot
        await asyncio.to_thread(child.join)
        receiving.close()
    problems, error = found
    if error is not None:
        raise ChainUnchecked(f"the event log could not be verified: {error}")
    if problems:
        raise BrokenChain(
            f"the event log is broken ({'; '.join(problems)}); --force rebuilds anyway"
        )


def _walk(database_url: str, sending: Pipe) -> None:
    """In the child: walks the chains and sends back (problems, None), or ([], why not)."""
    # Ctrl-C at a terminal reaches the whole group: the parent stops the child itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        found: tuple[list[str], str | None] = (asyncio.run(_verify(database_url)), None)
    except Exception as error:  # sent to the parent, which raises it there
        found = ([], f"{type(error).__name__}: {error}")
    sending.send(found)
    sending.close()


async def _verify(database_url: str) -> list[str]:
    pool = await open_pool(database_url, migrate=False)
    try:
        result = await verification.verify(pool)
    finally:
        await pool.close()
    return [str(problem) for problem in result.problems]
