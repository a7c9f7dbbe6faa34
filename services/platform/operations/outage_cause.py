"""What a process knows of why its dependency is out of reach, better than the error says.

`up`'s embedded PostgreSQL stopped under it failed its loops with FileNotFoundError (of a
socket), which said nothing of the PostgreSQL being gone, nor that `up` starts it again
(postgres/embedded_postgres.py). The one who knows sets the cause for a block
(`explained_by`): the tasks started in it have it (a context variable), and their failures
are recorded and logged with it (liveness.py, consuming/notices.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from services.platform.operations.outages import is_outage

_CAUSE: ContextVar[Callable[[], str | None] | None] = ContextVar("outage_cause", default=None)


@contextlib.contextmanager
def explained_by(cause: Callable[[], str | None]) -> Iterator[None]:
    """`cause()`, asked when a dependency is out of reach in the block (and the tasks it
    starts), says why, or None when it knows nothing of it."""
    token = _CAUSE.set(cause)
    try:
        yield
    finally:
        _CAUSE.reset(token)


def known(error: BaseException) -> str | None:
    """Why this process knows `error`, an outage, came (`explained_by`); None: it does not."""
    cause = _CAUSE.get()
    return cause() if cause is not None and is_outage(error) else None


def said(error: BaseException) -> str:
    """`error` as a log line or /healthz says it: an outage whose cause this process knows
    (`known`) by that cause, anything else by its type and message."""
    cause = known(error)
    return cause if cause is not None else f"{type(error).__name__}: {error}"
