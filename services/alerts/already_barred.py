"""Pure rules: what an agency is told at once when it starts watching a vendor that is barred
there already (a saved list naming it, a contract of it awarded and not ended).

Announcements tell the agencies watching a vendor of a *change* (changes.py): a bar that
began before the agency watched was announced to others, or to nobody, and the agency would
first hear of the vendor when it may bid again (`LIFTED`). The agency that has just started
watching is told of the bar as it stands, with the same reasons and day an announcement's
alert would give, unless its last alert about the vendor said just that (`told_already`):
a second list naming the vendor, or a list saved after a contract's watch told it, adds
nothing.
"""

from __future__ import annotations

import datetime as dt

from services.alerts.changes import AgencyChange, Told, told_already
from services.events.alerts import AlertChange
from services.events.emitted import EligibilityReasonRef


def already_barred(
    barring: list[EligibilityReasonRef], day: dt.date | None, told: Told | None
) -> AgencyChange | None:
    """The alert for an agency that starts watching a vendor: `barring`, the sanctions that
    bar it at the agency that day (none: it may bid, and there is nothing to tell); `day`,
    the first day it may bid there again, as the registry answers for the agency; `told`,
    the agency's last alert about the vendor, if any."""
    if not barring or told_already(told, barring, day):
        return None
    return AgencyChange(AlertChange.ALREADY_BARRED, barring, day)
