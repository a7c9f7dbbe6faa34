"""Whether a process should be given work now: the body and status of /readyz.

Liveness (/healthz) asks "restart me?"; readiness asks "send me traffic?". A process is ready
when PostgreSQL answers, every migration this code knows is applied, Kafka answers (distributed
mode) and its consumers are caught up. Not ready is 503 with every check in the body, each
saying what is wrong; `not_ready` names the checks that failed. A check that could not be made
(the migrations, with PostgreSQL out of reach) is `"ready": null`, "unchecked", and not named
in `not_ready`: named there, an outage read as a schema that needs migrating.

"Caught up" means at most CAUGHT_UP_EVENTS events behind, summed over the consumer's
partitions: one batch, i.e. the consumer would apply all it has not seen yet in its next
transaction. Lag under a steady load stays well under that; a backlog after an outage, a
rebuild holding the consumer or a consumer still replaying the log at start exceeds it, and
answers from its state would be stale.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from services.platform.consuming.consumer import BATCH_SIZE

CAUGHT_UP_EVENTS = BATCH_SIZE
# A probe must answer before the orchestrator's own time-out (Kubernetes: 1 s by default,
# set to 5 s in deploy/kubernetes); a dependency slower than this counts as unreachable.
CHECK_SECONDS = 4.0

# The migrations this code has that PostgreSQL has not applied (`pending_migrations`), asked
# of it on the process's probe connection (database_probe.py: the API's, a worker's, not its
# busy pool); raises when PostgreSQL does not answer.
MigrationsSource = Callable[[], Awaitable[list[str]]]
# Raises when Kafka cannot be reached.
KafkaCheck = Callable[[], Awaitable[None]]
# Per consumer, the events it has not applied yet (summed over its partitions); measuring
# also sets the per-partition lag gauge.
LagSource = Callable[[], Awaitable[Mapping[str, int]]]


def _check(ready: bool | None, detail: str) -> dict[str, Any]:
    """`ready` None: not checked, for want of what the check asks (not ready all the same)."""
    return {"ready": ready, "detail": detail}


async def _database(migrations: MigrationsSource) -> dict[str, dict[str, Any]]:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            pending = await migrations()
    except Exception as error:  # whatever keeps the database from answering is the answer
        reason = f"unreachable: {type(error).__name__}: {error}".rstrip(": ")
        return {
            "database": _check(False, reason),
            "migrations": _check(None, "unchecked: the database is unreachable"),
        }
    return {
        "database": _check(True, "reachable"),
        "migrations": _check(
            not pending, "all applied" if not pending else f"not applied: {', '.join(pending)}"
        ),
    }


async def _kafka(check: KafkaCheck) -> dict[str, Any]:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            await check()
    except Exception as error:  # any failure to reach the broker is the answer, not a fault
        return _check(False, f"unreachable: {type(error).__name__}: {error}")
    return _check(True, "reachable")


async def _consumers(lags: LagSource) -> dict[str, dict[str, Any]]:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            found = await lags()
    except Exception as error:  # the lag cannot be known: not caught up as far as we know
        return {"consumers": _check(False, f"lag unknown: {type(error).__name__}: {error}")}
    checks: dict[str, dict[str, Any]] = {}
    for consumer, behind in sorted(found.items()):
        caught_up = behind <= CAUGHT_UP_EVENTS
        detail = f"{behind} events behind" + (
            "" if caught_up else f" (caught up at {CAUGHT_UP_EVENTS} or fewer)"
        )
        checks[f"consumer {consumer}"] = {**_check(caught_up, detail), "lag": behind}
    return checks


async def readiness_report(
    migrations: MigrationsSource, kafka: KafkaCheck | None = None, lags: LagSource | None = None
) -> tuple[int, dict[str, Any]]:
    """HTTP status and body of /readyz; checks not given (no Kafka in embedded mode, no
    consumers in the distributed API) are not reported."""
    checks = await _database(migrations)
    if kafka is not None:
        checks["kafka"] = await _kafka(kafka)
    if lags is not None and checks["database"]["ready"]:
        checks.update(await _consumers(lags))
    return _report(checks)


def waiting_report(waiting: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
    """/readyz while the process waits at start-up for the dependencies in `waiting` (name,
    as the checks are named, → why): not ready, naming each. The other checks wait with it:
    the migrations and the consumers' lag need the database and Kafka it waits for."""
    return _report(
        {name: _check(False, f"waiting at start-up: {why}") for name, why in waiting.items()}
    )


def _report(checks: dict[str, dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    ready = all(check["ready"] is True for check in checks.values())
    body = {
        "status": "ready" if ready else "not ready",
        "not_ready": [name for name, check in checks.items() if check["ready"] is False],
        "checks": checks,
    }
    return (200 if ready else 503), body
