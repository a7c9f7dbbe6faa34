"""Whether a vendor is barred at an agency, read from the registry's last announcement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.events.emitted import EligibilityReasonRef, barring_at
from services.events.migration import MigrationTrigger
from services.events.sanction import SanctionKind


def describe(
    reasons: Sequence[EligibilityReasonRef],
    agency: str,
    eligible_again_on: dt.date | None,
    category: str | None = None,
) -> str | None:
    """Why the vendor may not take work at `agency` (of `category`, when named), in a line;
    None when nothing bars it."""
    barring = barring_at(reasons, agency, category)
    if not barring:
        return None
    parts = []
    for reason in barring:
        text = f"{reason.kind.value.replace('_', ' ')} {reason.sanction_id} by {reason.authority}"
        text += f" from {reason.starts_on}"
        text += f" until {reason.ends_on}" if reason.ends_on else " indefinitely"
        if reason.categories is not None:
            text += f" (categories: {', '.join(reason.categories)})"
        if reason.via_vendor_id:
            text += f" (via affiliate {reason.via_vendor_id})"
        parts.append(text)
    again = f"; eligible again on {eligible_again_on}" if eligible_again_on else ""
    return "; ".join(parts) + again


def trigger(reasons: Sequence[EligibilityReasonRef]) -> MigrationTrigger:
    if any(r.kind is SanctionKind.DEBARMENT for r in reasons):
        return MigrationTrigger.DEBARMENT
    return MigrationTrigger.SUSPENSION
