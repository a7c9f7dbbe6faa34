"""Pure rule of webhook retries: exponential backoff, capped.

The delay is kept in the delivery's row (`next_try_at`) rather than in a retrying call (tenacity, as
`platform/operations/retry.py` uses for loops), so that a restart keeps each delivery's place in its
backoff and one slow receiver never holds a task."""

from __future__ import annotations


def retry_delay(attempts: int, first: float, cap: float) -> float:
    """Seconds to wait after `attempts` failed deliveries: doubling from `first`, at most
    `cap`."""
    return min(cap, first * 2.0 ** max(0, attempts - 1))
