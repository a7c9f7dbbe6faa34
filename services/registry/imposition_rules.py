"""Whether a sanction may be imposed as given under its authority's suspension policy (pure).

Used twice on purpose: the API refuses at once (the person at the form hears why), and the
registry refuses again for events from any other producer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.sanction import SanctionImposed
from services.registry.policy import OutsidePolicy, PolicyError, SuspensionPolicy, check_period


def policy_refusal(
    policies: Mapping[str, SuspensionPolicy], payload: SanctionImposed
) -> str | None:
    """Why the period departs from the policy without a recorded override; None when it may
    be imposed (within range, overridden with a reason, or no policy for that authority)."""
    policy = policies.get(payload.authority)
    if policy is None or payload.policy_override_reason is not None:
        return None
    try:
        check_period(
            policy,
            grounds=payload.grounds,
            serious=payload.serious,
            decided_on=payload.decided_on,
            starts_on=payload.starts_on,
            duration_months=payload.duration_months,
            duration_days=payload.duration_days,
            ends_on=payload.ends_on,
            indefinite=payload.indefinite,
        )
    except (OutsidePolicy, PolicyError) as problem:
        return f"payload: {problem}"
    return None


def imposition_check(
    policies: Mapping[str, SuspensionPolicy],
) -> Callable[[EventEnvelope], Problem | None]:
    """The API's check of an event a person records: a sanction outside its policy is refused
    with the reason before it reaches the log; any other event passes."""

    def check(event: EventEnvelope) -> Problem | None:
        if not isinstance(event.payload, SanctionImposed):
            return None
        refusal = policy_refusal(policies, event.payload)
        return None if refusal is None else Problem("payload", refusal.removeprefix("payload: "))

    return check
