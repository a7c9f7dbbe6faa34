"""Pure rules: what kind of change an eligibility announcement is to the agencies watching its
vendor, and the alert's id."""

from __future__ import annotations

import datetime as dt
import uuid

from services.events.alerts import AlertChange

# The automatic watchlist's name: the vendors of the agency's running contracts.
RUNNING_CONTRACTS = "running contracts"
# Names alert ids (uuid5 of the agency and the announcement's event id).
_ALERTS = uuid.UUID("0b7f3c2e-7d8a-4f55-8c1e-5a3b9e2d4c61")

# What a vendor's announcements last said: eligible, and if not, eligible again on.
Seen = tuple[bool, dt.date | None]


def change_of(previous: Seen | None, eligible: bool) -> AlertChange:
    """The kind of change an announcement is, after what the previous one said (none: the
    vendor started eligible, as every registered vendor does). The registry announces only
    what differs from its last announcement, so barred after barred is a new period or new
    reasons (a sanction added, or amended to bar it elsewhere)."""
    was_eligible = previous is None or previous[0]
    if eligible:
        return AlertChange.LIFTED
    return AlertChange.BARRED if was_eligible else AlertChange.PERIOD_CHANGED


def alert_id(agency: str, cause_event_id: uuid.UUID, part: str | None = None) -> uuid.UUID:
    """The same for every retry, redelivery and replay of one change for one agency (`part`:
    which of the event's several, e.g. an import report's line and candidate)."""
    cause = str(cause_event_id) if part is None else f"{cause_event_id}\x1f{part}"
    return uuid.uuid5(_ALERTS, agency + "\x1f" + cause)
