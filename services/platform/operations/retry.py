"""Retrying work that failed for a reason outside the event itself.

At-least-once delivery means a batch that cannot be applied now (PostgreSQL restarting, Kafka
unreachable, a deployment missing a migration) is retried, never skipped: with capped
exponential backoff and jitter (tenacity; its first wait and cap are settings:
settings.RetryBackoff), so that workers coming back after an outage do not
reconnect in lockstep. Failures caused by an event's own content do not come here: consumers
dead-letter those (see consumer.py).

A wait is cut short once the process hears PostgreSQL answer again (back_again.py): the
escalated wait is for an outage still going on, not one just over.

The log says when a loop starts failing (with the traceback, once) and when it recovers; the
attempts in between are on the loop's liveness (/healthz), not one log line each.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    retry_if_exception_type,
    wait_exponential_jitter,
)

from services.platform.operations.back_again import back_off
from services.platform.operations.liveness import Liveness
from services.platform.operations.outage_cause import known
from services.platform.operations.outages import is_outage, session_ended
from services.platform.settings import retry_backoff

log = logging.getLogger(__name__)

# How long an attempt after failures must run without failing to count as recovered.
RECOVERED_AFTER_SECONDS = 5.0

T = TypeVar("T")


async def until_done(
    operation: Callable[[], Awaitable[T]],
    what: str,
    liveness: Liveness | None = None,
    *,
    outages_only: bool = False,
    max_seconds: float | None = None,
) -> T:
    """Runs `operation` until it succeeds, backing off exponentially (capped) between
    attempts; `liveness` (one is made if not given) records each outcome. `outages_only`:
    only a dependency out of reach is retried, anything else raised at once (a process
    starting: a wrong password or a missing migration is said, not waited on).
    `max_seconds`: a lower cap than the settings' on the wait between attempts."""
    live = liveness or Liveness(what)
    backoff = retry_backoff()
    cap = backoff.retry_max_seconds
    if max_seconds is not None:
        cap = min(cap, max_seconds)
    retrying = AsyncRetrying(
        # Never a cancellation: a stop stops.
        retry=retry_if_exception(is_outage) if outages_only else retry_if_exception_type(Exception),
        wait=wait_exponential_jitter(multiplier=backoff.retry_first_seconds, max=cap),
        before_sleep=lambda state: _failed_attempt(live, what, state),
        sleep=back_off,  # cut short once PostgreSQL is back (back_again.py)
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            # A loop that never returns (the live fan-out, the relays, the name index) stayed
            # "failing" on /healthz for good after an outage: an attempt that has run this
            # long without failing has recovered.
            recovered = (
                asyncio.get_running_loop().call_later(
                    RECOVERED_AFTER_SECONDS, note_success, live, what
                )
                if live.failing_since is not None
                else None
            )
            try:
                result = await operation()
            except Exception as error:
                if _stopping():
                    # A stop the work under it turned into an error (on Python 3.11,
                    # `asyncio.wait_for`, which asyncpg's connect uses, answers a cancellation
                    # that comes as its awaitable fails with that failure): retried as an
                    # outage, the loop ran on, and the stop waited for it for good (`up`
                    # whose PostgreSQL could not be started again, one stop in four).
                    raise asyncio.CancelledError() from error
                raise
            finally:
                if recovered is not None:
                    recovered.cancel()
    note_success(live, what)
    return result


def _stopping() -> bool:
    """Whether the task running this has been asked to stop (cancelled) and not let go of it."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _failed_attempt(live: Liveness, what: str, state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome is not None else None
    if error is not None:
        note_failure(live, what, error)


def note_failure(live: Liveness, what: str, error: BaseException) -> None:
    """Records a failed attempt; logs the first of a streak (with its traceback unless a
    dependency is out of reach: that needs no debugging). A session PostgreSQL ended is said
    so, unless the process knows why (`outage_cause.known`: `up`'s PostgreSQL stopped):
    PostgreSQL stopping ends it, but so do an idle timeout and an administrator's
    pg_terminate_backend, where PostgreSQL is up."""
    first = live.failing_since is None
    live.failed(error)
    if first:
        cause = f"waiting for {live.dependency}" if live.outage else "failing"
        if live.outage and session_ended(error) and known(error) is None:
            cause = "had its PostgreSQL session ended by the server"
        log.warning(
            "%s %s; retrying with backoff: %s",
            what,
            cause,
            live.last_error,
            exc_info=None if live.outage else error,
        )


def note_success(live: Liveness, what: str) -> None:
    if live.failing_since is not None:
        log.info("%s recovered after %.1f s", what, time.monotonic() - live.failing_since)
    live.succeeded()
