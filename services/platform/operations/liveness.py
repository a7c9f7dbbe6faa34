"""Whether each long-running loop is making progress: the signal an orchestrator restarts a
process on.

A loop whose work keeps failing (database gone, a poison batch, a bug) retries forever by
design; without this, such a stall shows only as repeated log lines. A loop waiting for
PostgreSQL or Kafka to come back is reported, but never as stalled: restarting the process
would not bring the dependency back, only add a reconnection storm when it returns. A loop
failing for any other reason past STALL_SECONDS is stalled, and /healthz turns 503.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from services.platform.operations.outage_cause import said
from services.platform.operations.outages import is_outage

# Long enough to ride out a leader election or a deployment's rolling restart.
STALL_SECONDS = 120.0
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
        return not self.outage and self.failing_for() > STALL_SECONDS

    def report(self) -> dict[str, Any]:
        report: dict[str, Any] = {
            self.kind: self.name,
            "stalled": self.stalled(),
            "failing_for_seconds": round(self.failing_for(), 1),
        }
        if self.last_error is not None:
            report["waiting_for"] = "a dependency (PostgreSQL or Kafka)" if self.outage else None
            report["last_error"] = self.last_error
        return report


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
