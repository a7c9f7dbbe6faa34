"""Retrying work that failed for a reason outside the event itself.

At-least-once delivery means a batch that cannot be applied now (PostgreSQL restarting, Kafka
unreachable, a deployment missing a migration) is retried, never skipped. Failures caused by
an event's own content do not come here: consumers dead-letter those (see consumer.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.platform.liveness import Liveness

log = logging.getLogger(__name__)

FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0

T = TypeVar("T")


async def until_done(
    operation: Callable[[], Awaitable[T]], what: str, liveness: Liveness | None = None
) -> T:
    """Runs `operation` until it succeeds, backing off exponentially between attempts; the
    liveness (if given) records the outcome of each attempt."""
    backoff = FIRST_BACKOFF_SECONDS
    while True:
        try:
            result = await operation()
        except Exception:
            if liveness is not None:
                liveness.failed()
            log.exception("%s failed; retrying in %.1fs", what, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            continue
        if liveness is not None:
            liveness.succeeded()
        return result
