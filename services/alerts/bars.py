"""What bars vendors at an agency on a day, as the registry knew it at a moment: an alert's
reasons and day when no announcement carries them (a watch starting on a barred vendor, an
award made to one).

Judged as known when the log recorded the event that asks (`known_before`), never now: the
alerts consumer applied again later (a replay, a redelivery), with the registry gone on to
sanctions and lifts recorded since, must raise the alert it raised, and no other. The reasons
are those of the vendor's whole answer that reach the agency, as an announcement's alert
keeps them (`barring_at`), so that the two compare; the day and the sanctions that extend it
are the registry's answer for the agency, as `handlers._day_at` asks it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from services.events.emitted import EligibilityReasonRef, barring_at
from services.platform.off_the_loop import for_batch
from services.platform.postgres.database import Connection
from services.registry.announcements import reason_ref
from services.registry.reads.screening import Records, records_at

# The resolution of PostgreSQL's timestamps.
_INSTANT = dt.timedelta(microseconds=1)


def known_before(recorded: dt.datetime) -> dt.datetime:
    """The moment an input event recorded at `recorded` is judged at: the last before the log
    stored it. One instant holds every event of an ingest batch (`recorded_at` is its
    transaction's time), whose order `knownAt` cannot see: counting the instant itself counted
    a sanction stored after the event in its batch, and only when the registry had applied it
    before the alerts judged the event, so not alike in a replay. What the batch stored before
    the event is left out with it: its announcement, which comes after, tells."""
    return recorded - _INSTANT


@dataclass(frozen=True)
class Bar:
    """What bars a vendor at an agency on a day."""

    reasons: list[EligibilityReasonRef]  # every sanction barring it there, never empty
    eligible_again_on: dt.date | None  # there; None: no end known
    extended_by: list[EligibilityReasonRef]  # `Eligibility.extended_by`, for the agency


def bar_in(
    records: Records, vendor_id: str, day: dt.date, agency: str, category: str | None = None
) -> Bar | None:
    """The vendor's bar at `agency` (and in `category`) on `day`, from records read once
    (`screening.records_at`); None when nothing bars it there, found before any answer is
    worked out (most vendors a batch judges have sanctions of no bearing that day)."""
    if not records.bars(vendor_id, day, agency=agency, category=category):
        return None
    whole = barring_at([reason_ref(r) for r in records.reasons(vendor_id, day)], agency, category)
    again, extended_by = records.again(vendor_id, day, agency=agency, category=category)
    return Bar(whole, again, [reason_ref(r) for r in extended_by])


async def bars_at(
    conn: Connection,
    vendor_ids: Sequence[str],
    day: dt.date,
    agency: str,
    known_at: dt.datetime,
) -> dict[str, Bar]:
    """The vendors of `vendor_ids` barred at `agency` on `day` as known at `known_at`, with
    their bars: their records in three queries, judged in a worker thread (a list of 5,000)."""
    records = await records_at(conn, vendor_ids, known_at, day)

    def judged(vendors: Sequence[str]) -> dict[str, Bar]:
        return {v: bar for v in vendors if (bar := bar_in(records, v, day, agency)) is not None}

    return await for_batch(judged, list(vendor_ids))
