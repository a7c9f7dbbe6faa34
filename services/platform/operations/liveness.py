"""Whether each long-running loop is making progress: the signal an orchestrator restarts a
process on.

A loop whose work keeps failing (database gone, a poison batch, a bug) retries forever by
design; without this, such a stall shows only as repeated log lines. A loop waiting for
PostgreSQL or Kafka to come back is reported, but never as stalled: restarting the process
would not bring the dependency back, only add a reconnection storm when it returns. A loop
failing for any other reason past STALL_SECONDS is stalled, and /healthz turns 503.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from services.platform.operations.outages import is_outage

# Long enough to ride out a leader election or a deployment's rolling restart.
STALL_SECONDS = 120.0
# How long /healthz waits for PostgreSQL before calling it unreachable (the Kubernetes
# manifest's liveness probe gives the answer 3 s).
LIVENESS_DATABASE_SECONDS = 0.5
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

    def succeeded(self) -> None:
        self.failing_since = None
        self.last_error = None
        self.outage = False

    def failed(self, error: BaseException) -> None:
        if self.failing_since is None:
            self.failing_since = time.monotonic()
        self.last_error = f"{type(error).__name__}: {error}"[:_ERROR_CHARS]
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


def health_report(
    livenesses: Sequence[Liveness],
    chain: dict[str, Any] | None = None,
    database_error: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """HTTP status and body of a health endpoint: 503 when any loop has stalled; "degraded"
    (still 200) while some loop fails, e.g. waiting for PostgreSQL. `chain` is the latest
    verification of the event store (chain_checks.py), reported as it is; `database_error`:
    why the process could not reach PostgreSQL just now, "degraded" too, since a restart
    does not bring it back (readiness takes the process out of traffic meanwhile)."""
    stalled = any(live.stalled() for live in livenesses)
    failing = database_error is not None or any(
        live.failing_since is not None for live in livenesses
    )
    body: dict[str, Any] = {
        "status": "stalled" if stalled else "degraded" if failing else "ok",
        "consumers": [live.report() for live in livenesses if live.kind == "consumer"],
    }
    if jobs := [live.report() for live in livenesses if live.kind == "job"]:
        body["jobs"] = jobs
    if chain is not None:
        body["chain"] = chain
    if database_error is not None:
        body["database"] = {"waiting_for": "PostgreSQL", "last_error": database_error}
    return (503 if stalled else 200), body
