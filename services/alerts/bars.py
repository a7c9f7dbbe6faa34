"""What bars vendors at an agency on a day, as the registry knew it at a moment: an alert's
reasons and day when no announcement carries them (a watch starting on a barred vendor, an
award made to one).

Judged as the log held the records before the event that asks (`records_in_order`: what it
recorded before the event's moment, and what its ingest batch stored ahead of it), never now:
the alerts consumer applied again later (a replay, a redelivery), with the registry gone on to
sanctions and lifts recorded since, must raise the alert it raised, and no other; and the same
facts must raise the same alert however they were batched. The reasons are those of the
vendor's whole answer that reach the agency, as an announcement's alert keeps them
(`barring_at`), so that the two compare; the day and the sanctions that extend it are the
registry's answer for the agency, as `registry_answers.day_at` asks it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from services.events.emitted import EligibilityReasonRef, barring_at
from services.platform.off_the_loop import for_batch
from services.platform.postgres.database import Connection
from services.registry.announcements import reason_ref
from services.registry.reads.records_in_order import records_before
from services.registry.reads.screening import Records


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
    (`records_in_order.records_before`); None when nothing bars it there, found before any answer is
    worked out (most vendors a batch judges have sanctions of no bearing that day)."""
    if not records.bars(vendor_id, day, agency=agency, category=category):
        return None
    whole = barring_at([reason_ref(r) for r in records.reasons(vendor_id, day)], agency, category)
    again, extended_by = records.again(vendor_id, day, agency=agency, category=category)
    return Bar(whole, again, [reason_ref(r) for r in extended_by])


async def bars_at(
    conn: Connection,
    event_id: uuid.UUID,
    partition: int,
    vendor_ids: Sequence[str],
    agency: str,
    recorded: dt.datetime,
    in_order: bool,
) -> dict[str, Bar]:
    """The vendors of `vendor_ids` barred at `agency` on the day the log recorded the event
    `event_id` (at `recorded`, on the log's `partition`), as it held their records before the
    event, with their bars: their records in three or four queries (`records_before`), judged
    in a worker thread (a list of 5,000)."""
    day = recorded.date()
    records = await records_before(conn, vendor_ids, [event_id], recorded, day, in_order)

    def judged(vendors: Sequence[str]) -> dict[str, Bar]:
        return {
            v: bar
            for v in vendors
            if (bar := bar_in(records.before(v, event_id, partition), v, day, agency)) is not None
        }

    return await for_batch(judged, list(vendor_ids))
