"""asyncpg's pools restoring their floor of connections while PostgreSQL is out of reach, said
once an outage: where it starts, and where it ends, with how long it lasted.

A pool whose connection is lost starts a task that connects another, so as to keep its floor
(`min_size`), and asyncpg logs each failed attempt at WARNING, "Failed to restore the pool
connection floor; retrying", with a traceback, after 1 s, 2 s, 4 s … up to a minute, from
each pool of a process, for as long as PostgreSQL is away, and nothing when one succeeds. An
operator read a line every few seconds for the whole outage, and no line saying it was over.
The first failure that is an outage is said, in one line naming why; the others are not, until
a pool's new connection (`reached`, every pool's `init`: database.open_pool) says PostgreSQL
is back, and how long after the first failure: an upper bound of the time it was away since,
for the pool tries again 1 s, 2 s, 4 s … up to a minute apart, and PostgreSQL may have been
back for most of the last wait. The pool that said the outage may close before it reconnects
(a process stopping, a pool of a command): its task then ends cancelled, and the outage is
forgotten, so that the next pool to fail says it anew rather than a connection of another
pool saying an old outage over. A failure that is no outage (a password changed meanwhile)
is a fault, and keeps asyncpg's line and traceback each time.

Per event loop (tests run several, one after the other), as back_again.py keeps its state.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import NamedTuple

import asyncpg

from services.platform.operations.outage_cause import said
from services.platform.operations.outages import is_outage

log = logging.getLogger(__name__)

# asyncpg's words for a failed attempt (asyncpg/pool.py, `Pool._maintain_min_size`).
FLOOR_NOT_RESTORED = "Failed to restore the pool connection floor; retrying"


class _Said(NamedTuple):
    """An outage said: when it was first met, and by which pool's task restoring its floor."""

    since: float
    by: asyncio.Task[object]


# Per event loop: the outage said, until a pool connects again or the one that said it closes.
_out: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Said] = weakref.WeakKeyDictionary()


class FloorOutageSaidOnce(logging.Filter):
    """On asyncpg.pool's logger: its failures to restore a floor of connections for an outage
    said once until PostgreSQL is reached again, without a traceback (there is nothing to
    debug). `one_off`: said never, in a one-off command (`rebuild`, an export): it tries
    nothing again, so asyncpg's "retrying" is not true of it, and its one `Error:` line
    says what it lost and what to do (cli/lost_partway.py), where 3 such WARNINGs came
    before it in an operator's `rebuild`."""

    def __init__(self, *, one_off: bool = False) -> None:
        super().__init__()
        self._one_off = one_off

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if record.msg != FLOOR_NOT_RESTORED or error is None or not is_outage(error):
            return True
        if self._one_off:
            return False
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # asyncpg logs it from its pool's task: never so
            return True
        task = asyncio.current_task()
        if loop in _out or task is None:
            return False  # said already this outage
        _out[loop] = said_now = _Said(loop.time(), task)
        task.add_done_callback(lambda ended: _forget(loop, said_now, ended))
        record.msg = (
            "PostgreSQL is out of reach: the connection pool cannot restore its connections"
            " (%s); trying again until it is back, said once it is"
        )
        record.args, record.exc_info, record.exc_text = (said(error),), None, None
        return True


def _forget(loop: asyncio.AbstractEventLoop, said_now: _Said, task: asyncio.Task[object]) -> None:
    """The task that said `said_now` has ended: cancelled, its pool closed (asyncpg cancels it
    then) before PostgreSQL was reached again, so the outage is nobody's to say over. Ended
    otherwise, the floor is restored (`reached` said so) or the pool's callers connect."""
    if task.cancelled() and _out.get(loop) is said_now:
        del _out[loop]


async def reached(_: asyncpg.Connection) -> None:
    """A pool's new connection (its `init`): an outage said by `FloorOutageSaidOnce` is over,
    said with how long after it was first met: at most that long out of reach since."""
    loop = asyncio.get_running_loop()
    out = _out.pop(loop, None)
    if out is not None:
        log.info(
            "PostgreSQL is reached again: the connection pool connects %.1f s after it first"
            " failed to (out of reach at most that long since; it tries again up to a minute"
            " apart)",
            loop.time() - out.since,
        )
