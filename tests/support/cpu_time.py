"""CPU time of a batch handler and of a PostgreSQL backend, for the benchmarks that compare
two versions of the code on a busy machine by the CPU each spends, not by wall-clock time."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass

from services.events.base import EventEnvelope
from services.platform.consuming.consumer import BatchHandler
from services.platform.postgres.database import Connection


@dataclass
class TimedHandler:
    """A batch handler with the CPU time it spent counted (the process's: a handler's work
    in worker threads counts too)."""

    apply_all: BatchHandler
    seconds: float = 0.0

    async def __call__(self, conn: Connection, events: Sequence[EventEnvelope]) -> None:
        started = time.process_time()
        try:
            await self.apply_all(conn, events)
        finally:
            self.seconds += time.process_time() - started


def backend_cpu(pid: int) -> float | None:
    """CPU seconds (user and system) a PostgreSQL backend on this machine has spent so far;
    None when the server runs elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
