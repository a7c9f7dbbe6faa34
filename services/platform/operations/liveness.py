"""Whether each long-running loop is making progress: the signal an orchestrator restarts a
process on.

A loop whose work keeps failing (database gone, a poison batch, a bug) retries forever by
design; without this, such a stall shows only as repeated log lines. A loop waiting for
PostgreSQL or Kafka to come back is reported, but never as stalled: restarting the process
would not bring the dependency back, only add a reconnection storm when it returns. A loop
failing for any other reason past the stall time (settings.Stalls, two minutes) is stalled,
and /healthz turns 503.

A loop can also stop without failing: a statement blocked on a lock (an operator's DDL, a
`LOCK TABLE`), a connection whose peer vanished without a word. Its unit of work (a batch,
a read: `Liveness.working`) then never ends, and nothing fails; in progress past the stall
time, the loop is stuck, stalled as a failing one is, and said once in the log when it
crosses the threshold and once when it ends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from services.platform.operations.outage_cause import said
from services.platform.operations.outages import is_outage
from services.platform.settings import stalls

log = logging.getLogger(__name__)

# How long /healthz waits for PostgreSQL or Kafka before calling it unreachable (the
# Kubernetes manifests' liveness probes give the answer 1 s for a worker, 3 s for the API).
LIVENESS_DATABASE_SECONDS = 0.5
# The dependencies a process may report waiting for (/healthz's `waiting_for`, named as
# /readyz names their checks), and what each is.
DEPENDENCIES = {"database": "PostgreSQL", "kafka": "Kafka"}
_ERROR_CHARS = 300


@dataclass
class Liveness:
    """One loop: a consumer (applies a topic or the embedded log) or a job (a timer: outbox
    relay, calendar, planner, chain check)."""

    name: str
    kind: Literal["consumer", "job"] = "consumer"
    failing_since: float | None = None
    last_error: str | None = None
    outage: bool = False  # the last failure was a dependency out of reach
    # What its log line says it waits for when one is out of reach (a process starting
    # names it and where: "PostgreSQL at postgresql://vendorwatch@db:5432/vendorwatch").
    dependency: str = "PostgreSQL or Kafka"
    # The unit of work in progress (`working`), if any: since when (monotonic, and the wall
    # clock's time for the report) and what it is doing just now (`now_doing`).
    busy_since: float | None = None
    busy_since_wall: float = 0.0
    doing: str | None = None
    # Waiting for something a restart cannot hasten (a rebuild holding the consumer's
    # lock): in progress, reported, never stuck.
    excused: bool = False
    _said_stuck: bool = field(default=False, repr=False)
    _watch: asyncio.TimerHandle | None = field(default=None, repr=False)

    @contextmanager
    def working(self, doing: str) -> Iterator[None]:
        """One unit of the loop's work (a batch, a read), stuck once in progress past the
        stall time. Costs two clock reads, no task: the one watch per liveness (`_look`) is
        armed only when none is (a live event is a batch)."""
        self.busy_since, self.busy_since_wall = time.monotonic(), time.time()
        self.doing, self.excused = doing, False
        if self._watch is None:
            self._watch = asyncio.get_running_loop().call_later(stalls().stall_seconds, self._look)
        token = _WORKING.set(self)
        try:
            yield
        finally:
            _WORKING.reset(token)
            if self._said_stuck:
                log.info(
                    "%s no longer stuck: %s ended after %.1f s",
                    self.name,
                    self.doing,
                    time.monotonic() - self.busy_since,
                )
            self.busy_since, self.doing, self.excused, self._said_stuck = None, None, False, False

    def now_doing(self, doing: str, *, excused: bool = False) -> None:
        """What the unit in progress does from now on; the stuck clock starts again when it
        starts or stops waiting on something excused (after a rebuild's ten minutes, a batch
        is not stuck from its first second)."""
        if excused != self.excused:
            self.busy_since, self.busy_since_wall = time.monotonic(), time.time()
        self.doing, self.excused = doing, excused

    def busy_for(self) -> float:
        return 0.0 if self.busy_since is None else time.monotonic() - self.busy_since

    def stuck(self) -> bool:
        return not self.excused and self.busy_for() > stalls().stall_seconds

    def _look(self) -> None:
        """The watch: says a unit that has crossed the stall time, once, and looks again
        when the one in progress would cross it."""
        self._watch = None
        if self.busy_since is None or self._said_stuck:
            return  # armed again by the next unit
        threshold = stalls().stall_seconds
        if self.stuck():
            self._said_stuck = True
            log.warning(
                "%s stuck: %s for %.1f s, without failing (a lock, a blocked statement, a"
                " connection that no longer answers?); /healthz reports it stalled",
                self.name,
                self.doing,
                self.busy_for(),
            )
            return
        left = threshold if self.excused else threshold - self.busy_for()
        self._watch = asyncio.get_running_loop().call_later(max(left, 0.01), self._look)

    def succeeded(self) -> None:
        self.failing_since = None
        self.last_error = None
        self.outage = False

    def failed(self, error: BaseException) -> None:
        if self.failing_since is None:
            self.failing_since = time.monotonic()
        self.last_error = said(error)[:_ERROR_CHARS]
        self.outage = is_outage(error)

    def failing_for(self) -> float:
        return 0.0 if self.failing_since is None else time.monotonic() - self.failing_since

    def stalled(self) -> bool:
        failing = not self.outage and self.failing_for() > stalls().stall_seconds
        return failing or self.stuck()

    def report(self) -> dict[str, Any]:
        report: dict[str, Any] = {
            self.kind: self.name,
            "stalled": self.stalled(),
            "failing_for_seconds": round(self.failing_for(), 1),
        }
        if self.last_error is not None:
            report["waiting_for"] = "a dependency (PostgreSQL or Kafka)" if self.outage else None
            report["last_error"] = self.last_error
        if self.busy_for() > stalls().stall_seconds:  # stuck, or excused (`now_doing`)
            report["stuck"] = self.stuck()
            report["busy_since"] = datetime.fromtimestamp(self.busy_since_wall, UTC).isoformat()
            report["busy_for_seconds"] = round(self.busy_for(), 1)
            report["doing"] = self.doing
        return report


# The liveness whose unit of work is in progress in this task (`Liveness.working`).
_WORKING: ContextVar[Liveness | None] = ContextVar("working", default=None)


def now_doing(doing: str, *, excused: bool = False) -> None:
    """Names the step of the unit of work in progress, if any (`Liveness.now_doing`), for
    code shared by loops and one-off commands (a batch's application), which has no liveness
    of its own to tell."""
    live = _WORKING.get()
    if live is not None:
        live.now_doing(doing, excused=excused)


async def unreachable(
    checks: Mapping[str, Callable[[], Awaitable[object]]],
    seconds: float = LIVENESS_DATABASE_SECONDS,
) -> dict[str, str]:
    """The dependencies (`DEPENDENCIES`' names) whose check fails or does not answer within
    `seconds`, each with why; the checks run side by side, so that /healthz answers within
    `seconds` whichever hangs (a host gone without refusing must be "degraded", not a probe
    timed out into a restart)."""

    async def failure(check: Callable[[], Awaitable[object]]) -> str | None:
        try:
            async with asyncio.timeout(seconds):
                await check()
        except Exception as error:  # whatever keeps it from answering is the answer
            return f"{type(error).__name__}: {error}".rstrip(": ")
        return None

    names = list(checks)
    found = await asyncio.gather(*(failure(checks[name]) for name in names))
    return {name: error for name, error in zip(names, found, strict=True) if error is not None}


def health_report(
    livenesses: Sequence[Liveness],
    chain: dict[str, Any] | None = None,
    waiting: Mapping[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    """HTTP status and body of a health endpoint: 503 when any loop has stalled; "degraded"
    (still 200) while some loop fails, e.g. waiting for PostgreSQL. `chain` is the latest
    verification of the event store (chain_checks.py), reported as it is; `waiting`: the
    dependencies (`DEPENDENCIES`) the process cannot reach just now, or waits for at
    start-up, each with why: "degraded" too, since a restart does not bring them back
    (readiness takes the process out of traffic meanwhile)."""
    waiting = waiting or {}
    stalled = any(live.stalled() for live in livenesses)
    failing = bool(waiting) or any(live.failing_since is not None for live in livenesses)
    body: dict[str, Any] = {
        "status": "stalled" if stalled else "degraded" if failing else "ok",
        "consumers": [live.report() for live in livenesses if live.kind == "consumer"],
    }
    if jobs := [live.report() for live in livenesses if live.kind == "job"]:
        body["jobs"] = jobs
    if chain is not None:
        body["chain"] = chain
    if waiting:
        body["waiting_for"] = sorted(waiting)
    for name, error in waiting.items():
        body[name] = {"waiting_for": DEPENDENCIES[name], "last_error": error}
    return (503 if stalled else 200), body
