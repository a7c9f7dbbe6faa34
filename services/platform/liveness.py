"""Whether each consumer is making progress: the signal an orchestrator restarts a process on.

A consumer whose batches keep failing (database gone, a poison batch, a bug) retries forever
by design; without this, such a stall shows only as repeated log lines.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

# Long enough to ride out a database restart or a Kafka leader election.
STALL_SECONDS = 120.0


@dataclass
class Liveness:
    name: str
    failing_since: float | None = None

    def succeeded(self) -> None:
        self.failing_since = None

    def failed(self) -> None:
        if self.failing_since is None:
            self.failing_since = time.monotonic()

    def failing_for(self) -> float:
        return 0.0 if self.failing_since is None else time.monotonic() - self.failing_since

    def stalled(self) -> bool:
        return self.failing_for() > STALL_SECONDS

    def report(self) -> dict[str, Any]:
        return {
            "consumer": self.name,
            "stalled": self.stalled(),
            "failing_for_seconds": round(self.failing_for(), 1),
        }


def health_report(
    livenesses: list[Liveness], chain: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    """HTTP status and body of a health endpoint: 503 when any consumer has stalled. `chain`
    is the last verification of the event store (chain_watch.py), reported as it is."""
    stalled = any(live.stalled() for live in livenesses)
    body: dict[str, Any] = {
        "status": "stalled" if stalled else "ok",
        "consumers": [live.report() for live in livenesses],
    }
    if chain is not None:
        body["chain"] = chain
    return (503 if stalled else 200), body
