"""Pure rules: what kind of change an eligibility announcement is to the agencies watching its
vendor, and the alert's id."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from services.events.alerts import AlertChange
from services.events.emitted import EligibilityReasonRef, barring_at, reasons_key

# The automatic watchlist's name: the vendors of the agency's contracts awarded and not ended,
# started or still to start (the name predates those to start; alerts raised carry it).
RUNNING_CONTRACTS = "running contracts"
# Names alert ids (uuid5 of the agency and the announcement's event id).
_ALERTS = uuid.UUID("0b7f3c2e-7d8a-4f55-8c1e-5a3b9e2d4c61")


@dataclass(frozen=True)
class Seen:
    """What one of a vendor's announcements said."""

    eligible: bool
    eligible_again_on: dt.date | None
    # None: seen before the alerts kept announcements' reasons (alerts' `0003_seen_reasons.sql`).
    reasons: tuple[EligibilityReasonRef, ...] | None


@dataclass(frozen=True)
class Told:
    """What an agency's last alert about a vendor's eligibility said: the day it may bid,
    whether it was barred there (false: the alert was a lift), and what barred it."""

    eligible_again_on: dt.date | None
    barred: bool = True
    reasons: tuple[EligibilityReasonRef, ...] = ()


def told_already(
    told: Told | None, barring: list[EligibilityReasonRef], day: dt.date | None
) -> bool:
    """Whether the agency's last alert said just this: barred by these sanctions until this
    day. A bar may reach an agency by an announcement or when it starts watching the vendor
    (already_barred.py), in either order (a list saved between a sanction and its
    announcement): whichever comes second tells it nothing new."""
    return (
        told is not None
        and told.barred
        and told.eligible_again_on == day
        and bars_key(list(told.reasons)) == bars_key(barring)
    )


@dataclass(frozen=True)
class AgencyChange:
    """What an announcement changed for one agency: the alert it is raised with."""

    kind: AlertChange
    reasons: list[EligibilityReasonRef]  # those barring the vendor there; none when lifted
    eligible_again_on: dt.date | None  # at this agency


def change_at(
    previous: Seen | None, now: Seen, agency: str, day: dt.date | None, told: Told | None
) -> AgencyChange | None:
    """What an announcement changed for `agency`, after what the previous one said (none: the
    vendor started eligible, as every registered vendor does); None when nothing changed there.
    `day`: the first day the vendor may bid at the agency again, as the registry answers for
    it; `told`: the agency's last alert about the vendor, if any.

    A sanction may bar the vendor at some agencies only: an agency where it may bid before and
    after is not alerted, nor one still barred by the same sanctions until the day it was last
    told (a sanction added or amended at another agency, or one barring it here widened to
    other agencies: which agencies a reason names is compared only as far as it reaches this
    one), nor one whose last alert told it this very bar already (`told_already`)."""
    barring = barring_at(now.reasons or (), agency)
    if previous is not None and previous.reasons is None:
        # Seen before its reasons were kept: where it was barred is unknown, so the agency is
        # told after what its last alert told it (none, or a lift: free to bid there).
        barred_before = not previous.eligible and told is not None and told.barred
        if barring:
            kind = AlertChange.PERIOD_CHANGED if barred_before else AlertChange.BARRED
            return AgencyChange(kind, barring, day)
        return AgencyChange(AlertChange.LIFTED, [], None) if barred_before else None
    before = barring_at(previous.reasons or (), agency) if previous is not None else []
    if not barring:
        return AgencyChange(AlertChange.LIFTED, [], None) if before else None
    if previous is None or not before:
        if told_already(told, barring, day):
            return None
        return AgencyChange(AlertChange.BARRED, barring, day)
    same_day = told.eligible_again_on == day if told is not None else True
    if bars_key(before) == bars_key(barring) and same_day:
        return None
    return AgencyChange(AlertChange.PERIOD_CHANGED, barring, day)


def bars_key(barring: list[EligibilityReasonRef]) -> str:
    """What bars the vendor at one agency, comparable: the reasons without their agencies.
    `barring_at` kept only those that bar it there, so which other agencies they name says
    nothing about this one: a sanction widened from this agency to every agency (or to
    another one more) bars the vendor here as before, and is news only where it now bars."""
    return reasons_key([r.model_copy(update={"agencies": None}) for r in barring])


def alert_id(agency: str, cause_event_id: uuid.UUID, part: str | None = None) -> uuid.UUID:
    """The same for every retry, redelivery and replay of one change for one agency (`part`:
    which of the event's several, e.g. an import report's line and candidate)."""
    cause = str(cause_event_id) if part is None else f"{cause_event_id}\x1f{part}"
    return uuid.uuid5(_ALERTS, agency + "\x1f" + cause)
