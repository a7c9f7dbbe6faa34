"""What the registry answered about a vendor, as an alert needs it: the reasons of the
announcement before (for one seen before the alerts kept reasons) and the first day the
vendor may bid at an agency again, as known when the log recorded the announcement."""

from __future__ import annotations

import datetime as dt

from services.alerts.changes import Seen
from services.events.emitted import EligibilityChanged, EligibilityReasonRef, barring_at
from services.platform.postgres.database import Connection
from services.registry.announcements import reason_ref
from services.registry.reads.queries import RegistryQueryError, bid_eligibility_many


async def previous_with_reasons(
    conn: Connection, vendor_id: str, payload: EligibilityChanged, previous: Seen | None
) -> Seen | None:
    """The previous announcement; one seen before the alerts kept reasons (`0003_seen_reasons.sql`)
    that barred the vendor is given what barred it the day before this one, as the registry
    answers now: where it was barred, so that each agency is told what changed there (left
    unknown for a vendor the registry does not know, as `change_at` then takes it)."""
    if previous is None or previous.reasons is not None or previous.eligible:
        return previous
    try:
        (before,) = await bid_eligibility_many(
            conn, [vendor_id], payload.as_of - dt.timedelta(days=1)
        )
    except RegistryQueryError:
        return previous
    reasons = tuple(reason_ref(r) for r in before.reasons)
    return Seen(previous.eligible, previous.eligible_again_on, reasons)


async def day_at(
    conn: Connection,
    vendor_id: str,
    payload: EligibilityChanged,
    agency: str,
    known_at: dt.datetime,
) -> tuple[dt.date | None, list[EligibilityReasonRef]]:
    """The first day the vendor may bid at the agency again, as the registry answers for it
    (None: it may now, or no end is known), and the sanctions recorded to start later that
    keep it barred there until then (`Eligibility.extended_by`), so that the alert explains
    its day. Not the announcement's own day, the first day nothing bars it anywhere: a
    sanction recorded at another agency moves that one, and a sanction recorded to start
    later here is in no announcement's reasons. Answered as known when the log recorded the
    announcement (`known_at`), as the registry made it: asked as known now, an alert applied
    again after a lift (a replay) gave no day, and one applied late a day the announcement
    did not know."""
    if payload.eligible or not barring_at(payload.reasons, agency):
        return None, []
    try:
        (answer,) = await bid_eligibility_many(
            conn, [vendor_id], payload.as_of, agency=agency, known_at=known_at
        )
    except RegistryQueryError:  # not registered (any more): the announcement's day
        return payload.eligible_again_on, []
    return answer.eligible_again_on, [reason_ref(r) for r in answer.extended_by]
