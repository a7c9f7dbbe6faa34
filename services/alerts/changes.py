"""Pure rules: what kind of change an eligibility announcement is to the agencies watching its
vendor, and the alert's id."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from services.events.alerts import AlertChange
from services.events.emitted import EligibilityReasonRef, barring_at, reasons_key

# The automatic watchlist's name: the vendors of the agency's running contracts.
RUNNING_CONTRACTS = "running contracts"
# Names alert ids (uuid5 of the agency and the announcement's event id).
_ALERTS = uuid.UUID("0b7f3c2e-7d8a-4f55-8c1e-5a3b9e2d4c61")


@dataclass(frozen=True)
class Seen:
    """What one of a vendor's announcements said."""

    eligible: bool
    eligible_again_on: dt.date | None
    # None: seen before the alerts kept announcements' reasons (migration 0003).
    reasons: tuple[EligibilityReasonRef, ...] | None


@dataclass(frozen=True)
class AgencyChange:
    """What an announcement changed for one agency: the alert it is raised with."""

    kind: AlertChange
    reasons: list[EligibilityReasonRef]  # those barring the vendor there; none when lifted
    eligible_again_on: dt.date | None


def change_at(previous: Seen | None, now: Seen, agency: str) -> AgencyChange | None:
    """What an announcement changed for `agency`, after what the previous one said (none: the
    vendor started eligible, as every registered vendor does); None when nothing changed there.

    A sanction may bar the vendor at some agencies only: an agency where it may bid before and
    after is not alerted, nor one whose reasons are the same as before (a sanction added or
    amended at another agency)."""
    barring = barring_at(now.reasons or (), agency)
    if previous is not None and previous.reasons is None:
        # Seen before its reasons were kept: where it was barred is unknown, so as then.
        if barring:
            kind = AlertChange.BARRED if previous.eligible else AlertChange.PERIOD_CHANGED
            return AgencyChange(kind, barring, _again_at(now, barring))
        return None if previous.eligible else AgencyChange(AlertChange.LIFTED, [], None)
    before = barring_at(previous.reasons or (), agency) if previous is not None else []
    if not barring:
        return AgencyChange(AlertChange.LIFTED, [], None) if before else None
    again = _again_at(now, barring)
    if previous is None or not before:
        return AgencyChange(AlertChange.BARRED, barring, again)
    if reasons_key(before) == reasons_key(barring) and _again_at(previous, before) == again:
        return None
    return AgencyChange(AlertChange.PERIOD_CHANGED, barring, again)


def _again_at(seen: Seen, barring: list[EligibilityReasonRef]) -> dt.date | None:
    """The first day the vendor may bid at the agency again, as far as the announcement says:
    the day after the last of the reasons barring it there ends (none when one has no end),
    and never after the vendor's own day (the first day nothing bars it anywhere, which an
    affiliation ending early can bring forward). Not the vendor's own day alone: a sanction
    recorded to start later at another agency moves that day, not this agency's. A sanction
    recorded to start later at this agency is in no announcement's reasons:
    `bidEligibility(agency:)` is the answer that sees it."""
    ends = [r.ends_on for r in barring]
    if any(end is None for end in ends):
        return seen.eligible_again_on
    after = max(end for end in ends if end is not None) + dt.timedelta(days=1)
    return after if seen.eligible_again_on is None else min(after, seen.eligible_again_on)


def alert_id(agency: str, cause_event_id: uuid.UUID, part: str | None = None) -> uuid.UUID:
    """The same for every retry, redelivery and replay of one change for one agency (`part`:
    which of the event's several, e.g. an import report's line and candidate)."""
    cause = str(cause_event_id) if part is None else f"{cause_event_id}\x1f{part}"
    return uuid.uuid5(_ALERTS, agency + "\x1f" + cause)
