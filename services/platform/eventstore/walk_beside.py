"""The event store's chains walked by a child process, for processes that have other work.

A walk parses and hashes every stored event. Run in a worker thread it still holds the
interpreter's lock in turns with the event loop: while 20,000 events were walked so, a
trivial query's round trip went from 0.25 to 5.7 ms at the median (0.71 to 14 ms at p99),
for every request and consumer of the process, for as long as the walk lasts, every hour
(chain_watch.py). A child process walks on the other core instead (0.26 ms at the median,
2.4 ms at p99 meanwhile: `tests/benchmarks/test_chain_walk_interference.py`) and sends back
what it found; a rebuild replays meanwhile (platform/consuming/checked_replay.py).
`vendorwatch verify`, which has nothing else to do, walks in its own process.

The child reaches the database on a connection of its own: when it cannot (PostgreSQL away,
or out of connections), the failure is an outage as the process's own would be, waited out
rather than counted against the process's health (operations/outages.py). It dies with its
parent, however the parent ends.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection as Pipe

from services.platform.eventstore import verification
from services.platform.operations.outages import is_outage
from services.platform.operations.pool_floor import FloorOutageSaidOnce
from services.platform.postgres.database import open_pool


@dataclass(frozen=True)
class Walked:
    """What a walk found: how many events it checked, and the problems (none: intact)."""

    events: int
    problems: tuple[str, ...]
    heads: dict[int, tuple[int, str]]  # partition → the last seq and chain hash it saw


class WalkFailed(RuntimeError):
    """The chains could not be walked (the child could not reach the database, or died).
    Raised from a ConnectionError when the child's failure was an outage, so that retrying
    loops wait it out (`outages.is_outage` follows the cause). `why`: what stopped it."""

    def __init__(self, why: str) -> None:
        super().__init__(f"the event log could not be verified: {why}")
        self.why = why


async def walk_in_child(database_url: str) -> Walked:
    """`verification.verify` of the database's store, made by a child process. Stopping the
    caller stops the child."""
    context = multiprocessing.get_context("spawn")  # no copy of this process's loop and pools
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_walk, args=(database_url, sending), daemon=True)
    child.start()
    sending.close()
    found: Walked | _Failure | None = None
    try:
        # A child that dies closes its end: recv raises EOFError instead of waiting forever.
        found = await asyncio.to_thread(receiving.recv)
    except EOFError:
        pass
    finally:
        if child.is_alive():
            child.terminate()  # its caller is gone: nobody waits for the answer
        await asyncio.to_thread(child.join)
        receiving.close()
    if found is None:
        # Killed (out of memory, say): as much a matter of resources as of anything to mend.
        # Its exit code is known once it is joined.
        found = _Failure(f"its process ended ({child.exitcode}) without an answer", True)
    if isinstance(found, _Failure):
        failed = WalkFailed(found.why)
        if found.outage:
            raise failed from ConnectionError(found.why)
        raise failed
    return found


@dataclass(frozen=True)
class _Failure:
    why: str
    outage: bool


def _walk(database_url: str, sending: Pipe) -> None:
    """In the child: walks the chains and sends back what it found, or why it could not."""
    # Ctrl-C at a terminal reaches the whole group: the parent stops the child itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Its parent says an outage (WalkFailed): asyncpg's failures to restore the pool's floor,
    # with no logging configured here, went to the parent's stderr by Python's last resort,
    # a WARNING and a traceback each, before a rebuild's one `Error:` line.
    logging.getLogger("asyncpg.pool").addFilter(FloorOutageSaidOnce(one_off=True))
    # A parent killed outright (SIGKILL) cannot stop it: it stops when the parent is gone.
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()
    try:
        found: Walked | _Failure = asyncio.run(_verify(database_url))
    except Exception as error:  # sent to the parent, which raises it there
        found = _Failure(f"{type(error).__name__}: {error}", is_outage(error))
    sending.send(found)
    sending.close()


def _exit_with(parent_sentinel: int) -> None:
    multiprocessing.connection.wait([parent_sentinel])
    os._exit(1)


async def _verify(database_url: str) -> Walked:
    pool = await open_pool(database_url, migrate=False)
    try:
        result = await verification.verify(pool)
    finally:
        await pool.close()
    return Walked(result.events, tuple(str(problem) for problem in result.problems), result.heads)
