"""A long-running process waiting at start-up for what it cannot work without: PostgreSQL,
and in distributed mode Kafka.

A worker or an API started before its database or broker (a cluster coming up, a rollout
during an outage) used to exit at once, and its orchestrator restarted it in a loop. It now
serves /healthz and /readyz first and waits with the loops' own capped backoff
(`retry.until_done`), saying it once in the log, with where it waits; /healthz answers
"degraded" with `waiting_for` naming the dependency (a restart would not bring it), /readyz
503 naming it, /metrics `vendorwatch_start_up_waiting` 1 for it. Only an outage is waited on:
a configuration that cannot work with the dependency (`errors.Misconfigured`: a wrong
password, a database that does not exist, a Kafka CA file that does not verify the broker)
or anything else fails the start at once, as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.platform.operations.liveness import DEPENDENCIES, Liveness
from services.platform.operations.metrics import START_UP_WAITING
from services.platform.operations.retry import until_done

T = TypeVar("T")

# The longest wait between two attempts at start-up. The loops' cap (30 s) spares a running
# process's many loops; a starting one makes one connection attempt at a time and does nothing
# else meanwhile, and nothing tells it the dependency is back (a running `up` hears PostgreSQL
# through its kept LISTEN, back_again.py): it went on up to 16 s after its database came back.
WAIT_AT_MOST_SECONDS = 2.0

# What a wait that has not failed yet (its first attempt under way) says.
FIRST_ATTEMPT = "not reached yet"


class StartUp:
    """The waits of one process's start, while they last."""

    def __init__(self) -> None:
        self._waits: dict[str, Liveness] = {}  # dependency (DEPENDENCIES) → its wait

    def waiting(self) -> dict[str, str]:
        """Each dependency waited for now, with why it is not reached yet."""
        return {name: live.last_error or FIRST_ATTEMPT for name, live in self._waits.items()}

    async def wait_for(self, dependency: str, where: str, reach: Callable[[], Awaitable[T]]) -> T:
        """`reach`'s result once it succeeds, retried with backoff while `dependency` (at
        `where`: a URL without its password) is out of reach; whatever else it raises is
        raised."""
        live = Liveness("start-up", "job", dependency=f"{DEPENDENCIES[dependency]} at {where}")
        self._waits[dependency] = live
        waiting = START_UP_WAITING.labels(dependency)
        waiting.set(1)
        try:
            return await until_done(
                reach, "start-up", live, outages_only=True, max_seconds=WAIT_AT_MOST_SECONDS
            )
        finally:
            del self._waits[dependency]
            waiting.set(0)
