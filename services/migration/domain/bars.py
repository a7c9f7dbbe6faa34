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
    return _said(barring, _again_here(barring, reasons, eligible_again_on))


def _again_here(
    barring: Sequence[EligibilityReasonRef],
    reasons: Sequence[EligibilityReasonRef],
    eligible_again_on: dt.date | None,
) -> dt.date | None:
    """The registry's eligible-again day, when it is the day here too: it is the vendor's
    overall, which a sanction of another agency or category may set later than the end of
    what bars it here (each reason says its own end)."""
    return eligible_again_on if len(barring) == len(reasons) else None


def _said(barring: Sequence[EligibilityReasonRef], again_on: dt.date | None) -> str | None:
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
    again = f"; eligible again on {again_on}" if again_on else ""
    return "; ".join(parts) + again


def plan_reason(
    reasons: Sequence[EligibilityReasonRef],
    agency: str,
    categories: Sequence[str | None],
    eligible_again_on: dt.date | None,
) -> tuple[str, MigrationTrigger] | None:
    """What an automatic plan at `agency` holding contracts of `categories` (a plan without
    any: `[None]`) says of why it exists, and its trigger: the reasons that bar the vendor
    there from any of them, not a sanction of other categories. None when none does."""
    barring = [
        reason
        for reason in barring_at(reasons, agency)
        if any(barring_at([reason], agency, category) for category in categories)
    ]
    said = _said(barring, _again_here(barring, reasons, eligible_again_on))
    return (said, trigger(barring)) if said is not None else None


def trigger(reasons: Sequence[EligibilityReasonRef]) -> MigrationTrigger:
    if any(r.kind is SanctionKind.DEBARMENT for r in reasons):
        return MigrationTrigger.DEBARMENT
    return MigrationTrigger.SUSPENSION
