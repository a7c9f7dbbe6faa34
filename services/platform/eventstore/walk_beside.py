"""The event store's chains walked by a child process, for processes that have other work.

A walk parses and hashes every stored event. Run in a worker thread it still holds the
interpreter's lock in turns with the event loop: while 20,000 events were walked so, a
trivial query's latency went from 0.25 to 5.5 ms at the median and 11–14 ms at p99
(`tests/benchmarks/HISTORY.md`), for every request and consumer of the process, for as long
as the walk lasts, every hour (chain_watch.py). A child process walks on the other core
instead (0.25–0.29 ms at the median meanwhile) and sends back what it found; a rebuild
replays meanwhile (platform/consuming/checked_replay.py). `vendorwatch verify`, which has
nothing else to do, walks in its own process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
from dataclasses import dataclass
from multiprocessing.connection import Connection as Pipe

from services.platform.eventstore import verification
from services.platform.postgres.database import open_pool


@dataclass(frozen=True)
class Walked:
    """What a walk found: how many events it checked, and the problems (none: intact)."""

    events: int
    problems: tuple[str, ...]


class WalkFailed(RuntimeError):
    """The chains could not be walked (the child could not reach the database, or died)."""


async def walk_in_child(database_url: str) -> Walked:
    """`verification.verify` of the database's store, made by a child process. Stopping the
    caller stops the child."""
    context = multiprocessing.get_context("spawn")  # no copy of this process's loop and pools
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_walk, args=(database_url, sending), daemon=True)
    child.start()
    sending.close()
    try:
        # A child that dies closes its end: recv raises EOFError instead of waiting forever.
        found: Walked | str = await asyncio.to_thread(receiving.recv)
    except EOFError:
        raise WalkFailed(
            f"the event log could not be verified: its walk ended ({child.exitcode})"
        ) from None
    finally:
        if child.is_alive():
            child.terminate()  # its caller is gone: nobody waits for the answer
        await asyncio.to_thread(child.join)
        receiving.close()
    if isinstance(found, str):
        raise WalkFailed(f"the event log could not be verified: {found}")
    return found


def _walk(database_url: str, sending: Pipe) -> None:
    """In the child: walks the chains and sends back what it found, or why it could not."""
    # Ctrl-C at a terminal reaches the whole group: the parent stops the child itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        found: Walked | str = asyncio.run(_verify(database_url))
    except Exception as error:  # sent to the parent, which raises it there
        found = f"{type(error).__name__}: {error}"
    sending.send(found)
    sending.close()


async def _verify(database_url: str) -> Walked:
    pool = await open_pool(database_url, migrate=False)
    try:
        result = await verification.verify(pool)
    finally:
        await pool.close()
    return Walked(result.events, tuple(str(problem) for problem in result.problems))
