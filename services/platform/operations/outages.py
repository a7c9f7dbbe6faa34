"""Telling a dependency out of reach (PostgreSQL restarting, Kafka's broker gone, the network)
from a fault of our own or of an input: the first is waited out, the second reported."""

from __future__ import annotations

import errno
import sys
from collections.abc import Iterator

import asyncpg

from services.platform.errors import Misconfigured, StartupError

# Connections refused, reset or timed out; PostgreSQL shutting down, starting up or crashed
# (57P01-57P03: what a `pg_ctl stop -m immediate` or a failover shows its clients), or full
# (53300, "too many clients": every worker of a deployment reconnecting at once); a
# connection dropped under a pool.
_OUTAGES = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.InterfaceError,
)


# asyncpg's words, ending its InternalClientError, for a statement started on a connection
# whose protocol is still consuming an error (state 2, PROTOCOL_ERROR_CONSUME, of
# asyncpg/protocol/coreproto.pxd) that no statement of its own met: PostgreSQL's termination
# notice (57P01 of a fast stop or of pg_terminate_backend, 57P02 of a crash of another
# backend, 57P05 of idle_session_timeout) read on a connection idle between statements,
# before the close that follows it. Only PostgreSQL ending the session sends an error between
# statements; asyncpg awaits a ReadyForQuery that never comes. PostgreSQL may be stopping, or
# up and ending that one session: retrying is right either way, but it is said as a session
# ended (`session_ended`), not as PostgreSQL out of reach.
_ENDED_IN_AN_IDLE_SESSION = "another operation (2) is in progress"


def _session_ended(error: BaseException) -> bool:
    """Whether `error` is asyncpg's for a statement on a connection PostgreSQL ended while it
    was idle ("cannot switch to state 12; another operation (2) is in progress", the risk
    consumer's next batch once PostgreSQL was stopped): a connection lost, by no outage's
    type."""
    return isinstance(error, asyncpg.InternalClientError) and str(error).endswith(
        _ENDED_IN_AN_IDLE_SESSION
    )


# PostgreSQL refusing or dropping connections: what its clients see of a restart, a crash,
# a failover.
_DATABASE_GONE = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    ConnectionError,
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    """`error`, then the error it was raised from or while handling, and so on, each once."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def session_ended(error: BaseException) -> bool:
    """Whether `error`, or an error it was raised from or while handling, is a session
    PostgreSQL ended while it was idle (`_session_ended`)."""
    return any(_session_ended(current) for current in _chain(error))


def _kafka_outage(error: BaseException) -> bool:
    """Whether `error` is Kafka's timeout or a retriable Kafka error. aiokafka is looked up,
    not imported: an error of it can exist only once it is loaded, and processes without
    Kafka (embedded mode, `rebuild`, `verify`) should not pay its import (0.2 s)."""
    errors = sys.modules.get("aiokafka.errors")
    if errors is None:
        return False
    if isinstance(error, errors.KafkaTimeoutError):
        return True
    return isinstance(error, errors.KafkaError) and bool(error.retriable)


def out_of_reach(error: BaseException) -> str | None:
    """What a request met out of reach, "the database" or "the event log", when `error`
    (or an error it was raised from) is one; None otherwise. Narrower than `is_outage`, which
    lets loops wait out anything that may pass: a request told "try again" must not be a
    fault of ours, so an error raised while handling another is not taken for it, nor is any
    timeout or file error but a stopped PostgreSQL's socket file gone (no file named)."""
    current: BaseException | None = error
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _DATABASE_GONE):
            return "the database"
        if isinstance(current, FileNotFoundError) and current.filename is None:
            return "the database"
        if _kafka_outage(current):
            return "the event log"
        current = current.__cause__
    return None


def unavailable(what: str, *, recording: bool = True) -> str:
    """What a request that met `what` out of reach is told (`ErrorCode.UNAVAILABLE`);
    `recording`: it may have recorded an event (a mutation), which a retry must not twice."""
    retry = "try again shortly"
    if recording:
        retry += (
            "; a mutation may have been recorded: send it again with the same"
            " idempotencyKey, which records it once"
        )
    return f"{what} is out of reach (restarting?): {retry}"


def is_outage(error: BaseException) -> bool:
    """Whether `error` (or what caused it) is a dependency out of reach, which retrying later
    can cure, rather than something retrying cannot: a long-running loop waits it out, said
    in one line, its liveness waiting rather than stalled (a session PostgreSQL ended while
    it was idle among them: `_session_ended`)."""
    for current in _chain(error):
        if isinstance(current, Misconfigured):
            return False  # met while retrying a dependency, perhaps, but no outage
        if isinstance(current, _OUTAGES) or _session_ended(current) or _kafka_outage(current):
            return True
    return False


# What writing a command's output fails with: its reader gone (`| head -1`), the disk or the
# quota full, the file too large. PostgreSQL's and Kafka's clients raise their own errors for
# their sockets (a write to a closed one is asyncpg's ConnectionDoesNotExistError, aiokafka's
# KafkaConnectionError), so one of these raised as it is is the output's, not an outage.
_OUTPUT_ERRNOS = frozenset({errno.EPIPE, errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def out_of_room(error: BaseException) -> asyncpg.InsufficientResourcesError | None:
    """PostgreSQL's refusal for want of resources (class 53: its disk full, out of memory, a
    configuration limit), when `error` is one or was raised from one; None otherwise. Too
    many clients is an outage instead (`is_outage`): it passes as connections close, where
    a full disk needs an operator."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, asyncpg.InsufficientResourcesError) and not isinstance(
            current, asyncpg.exceptions.TooManyConnectionsError
        ):
            return current
        current = current.__cause__ or current.__context__
    return None


def output_failed(error: BaseException) -> bool:
    """Whether `error` is a one-off command's output that could not be written."""
    return isinstance(error, OSError) and error.errno in _OUTPUT_ERRNOS


def lost(error: BaseException) -> str | None:
    """What a one-off command lost partway, "PostgreSQL" or "Kafka", when `error` is an
    outage (`is_outage`; a group of errors, a TaskGroup's, when every error in it is one);
    None otherwise: a fault of ours, or of an input, whose traceback is to be seen. Narrower
    than `is_outage` where that would hide a fault: a file error naming its file (an output
    that cannot be written) is no outage, nor is the output written to a pipe or disk
    (`output_failed`, which names no file), nor a StartupError, said as it is; nor a session
    PostgreSQL ended (`_session_ended`): a loop waits that out whatever ended it, but a
    command, which cannot try again, says it lost PostgreSQL only once it is seen gone
    (`lost_at`)."""
    if output_failed(error):
        return None
    if isinstance(error, BaseExceptionGroup):
        found = [lost(inner) for inner in error.exceptions]
        return found[0] if found and all(found) else None
    if not is_outage(error):
        return None
    for current in _chain(error):
        if (
            isinstance(current, StartupError)
            or (isinstance(current, OSError) and current.filename is not None)
            or _session_ended(current)
        ):
            return None  # said already as it is, a file of ours, or for `lost_at` to ask
        if _kafka_outage(current) or type(current).__module__.startswith("aiokafka"):
            return "Kafka"
    return "PostgreSQL"


# How long `lost_at` waits for PostgreSQL to answer a new connection.
_ASK_SECONDS = 5.0


async def lost_at(error: BaseException, database_url: str) -> str | None:
    """`lost(error)`; and "PostgreSQL" for asyncpg's InternalClientError (or an error raised
    from one) when PostgreSQL at `database_url` no longer answers. Stopped (fast: `up`
    stopping its embedded one), PostgreSQL sends each connection its termination notice,
    then closes it: read on a connection idle in its pool, the notice breaks asyncpg's
    protocol before the close is seen, and the next statement on it fails so ("cannot switch
    to state 15; another operation (2) is in progress"), by no type of an outage. From a
    PostgreSQL that still answers, that error is a fault, whose traceback is to be seen.

    A group of errors (a TaskGroup's: a rebuild's reader, judge and followers) is each of
    its errors asked so, and lost when every one is: PostgreSQL killed under a rebuild
    ended its stages' idle sessions so, and the group's traceback, 140 to 218 lines naming
    a refusal the judge had handled before the statement that failed, stood where the one
    line belongs."""
    if isinstance(error, BaseExceptionGroup):
        found = [await lost_at(inner, database_url) for inner in error.exceptions]
        return found[0] if found and all(found) else None
    if (what := lost(error)) is not None or not database_url:
        return what
    current: BaseException | None = error
    while current is not None and not isinstance(current, asyncpg.InternalClientError):
        if isinstance(current, StartupError):
            return None  # said already as it is (errors.Lost: how far a command got)
        current = current.__cause__
    if current is None:
        return None
    try:
        connection = await asyncpg.connect(database_url, timeout=_ASK_SECONDS)
    except Exception as asked:
        return "PostgreSQL" if is_outage(asked) else None
    await connection.close()
    return None
