"""Whether a vendor is barred at an agency, read from the registry's last announcement."""

from __future__ import annotations

from collections.abc import Sequence

from services.events.emitted import EligibilityReasonRef, barring_at
from services.events.migration import MigrationTrigger
from services.events.sanction import SanctionKind


def describe(
    reasons: Sequence[EligibilityReasonRef], agency: str, category: str | None = None
) -> str | None:
    """Why the vendor may not take work at `agency` (of `category`, when named), in a line;
    None when nothing bars it."""
    return _said(barring_at(reasons, agency, category))


def plan_reason(
    reasons: Sequence[EligibilityReasonRef], agency: str, categories: Sequence[str | None]
) -> tuple[str, MigrationTrigger] | None:
    """What an automatic plan at `agency` holding contracts of `categories` (a plan without
    any: `[None]`) says of why it exists, and its trigger: the reasons that bar the vendor
    there from any of them, not a sanction of other categories. None when none does."""
    barring = [
        reason
        for reason in barring_at(reasons, agency)
        if any(barring_at([reason], agency, category) for category in categories)
    ]
    said = _said(barring)
    return (said, trigger(barring)) if said is not None else None


def _said(barring: Sequence[EligibilityReasonRef]) -> str | None:
    """The reasons, each with its own end, in the order they began (the same text whatever
    order an announcement lists them in). Not the registry's eligible-again day: it is the
    vendor's, which a sanction elsewhere, or one recorded to begin later, may set after the
    end of what bars the vendor here."""
    if not barring:
        return None
    parts = []
    for reason in sorted(
        barring, key=lambda r: (r.starts_on, r.sanction_id, r.via_vendor_id or "")
    ):
        text = f"{reason.kind.value.replace('_', ' ')} {reason.sanction_id} by {reason.authority}"
        text += f" from {reason.starts_on}"
        text += f" until {reason.ends_on}" if reason.ends_on else " indefinitely"
        if reason.categories is not None:
            text += f" (categories: {', '.join(reason.categories)})"
        if reason.via_vendor_id:
            text += f" (via affiliate {reason.via_vendor_id})"
        parts.append(text)
    return "; ".join(parts)


def trigger(reasons: Sequence[EligibilityReasonRef]) -> MigrationTrigger:
    if any(r.kind is SanctionKind.DEBARMENT for r in reasons):
        return MigrationTrigger.DEBARMENT
    return MigrationTrigger.SUSPENSION
