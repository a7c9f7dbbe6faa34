"""asyncpg's pools restoring their floor of connections while PostgreSQL is out of reach, said
once an outage: where it starts, and where it ends, with how long it lasted.

A pool whose connection is lost starts a task that connects another, so as to keep its floor
(`min_size`), and asyncpg logs each failed attempt at WARNING, "Failed to restore the pool
connection floor; retrying", with a traceback, after 1 s, 2 s, 4 s … up to a minute, from
each pool of a process, for as long as PostgreSQL is away, and nothing when one succeeds. An
operator read a line every few seconds for the whole outage, and no line saying it was over.
The first failure that is an outage is said, in one line naming why; the others are not, until
a pool's new connection (`reached`, every pool's `init`: database.open_pool) says PostgreSQL
is back and how long it was away. A failure that is no outage (a password changed meanwhile)
is a fault, and keeps asyncpg's line and traceback each time.

Per event loop (tests run several, one after the other), as back_again.py keeps its state.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

import asyncpg

from services.platform.operations.outage_cause import said
from services.platform.operations.outages import is_outage

log = logging.getLogger(__name__)

# asyncpg's words for a failed attempt (asyncpg/pool.py, `Pool._maintain_min_size`).
FLOOR_NOT_RESTORED = "Failed to restore the pool connection floor; retrying"

# Per event loop: when the outage said was first met, until a pool connects again.
_out_since: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, float] = (
    weakref.WeakKeyDictionary()
)


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
        if loop in _out_since:
            return False  # said already this outage
        _out_since[loop] = loop.time()
        record.msg = (
            "PostgreSQL is out of reach: the connection pool cannot restore its connections"
            " (%s); trying again until it is back, said once it is"
        )
        record.args, record.exc_info, record.exc_text = (said(error),), None, None
        return True


async def reached(_: asyncpg.Connection) -> None:
    """A pool's new connection (its `init`): an outage said by `FloorOutageSaidOnce` is over,
    said with how long PostgreSQL was out of reach."""
    loop = asyncio.get_running_loop()
    since = _out_since.pop(loop, None)
    if since is not None:
        log.info(
            "PostgreSQL is reached again: the connection pool connects after %.1f s out of reach",
            loop.time() - since,
        )
