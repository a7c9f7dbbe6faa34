"""Awards a bar recorded later reaches back to: a sanction may be recorded after the day it
starts (or amended to start earlier, or to bar at more agencies or categories), and an award
the log had recorded for the vendor on one of the days it now bars, at an agency and in a
category it covers, was made while barred; nobody knew when the award was recorded, so its
own judgement (`watch_starts.on_awards`) told nothing. The announcement of the change tells
the awarding agency (`AWARDED_WHILE_BARRED`), once per award (ARCHITECTURE.md, "Watchlists and
alerts").

Judged as known when the log recorded the announcement, as its other alerts are, and counting
only the awards recorded before it: applied again, live or from nothing, it raises the same.
An award already told as irregular (by its own judgement) is not told again; one told by an
earlier announcement has the same id, and is found.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from services.alerts import repository
from services.alerts.bars import bar_in
from services.alerts.changes import Seen, alert_id
from services.events.alerts import AlertChange, AlertRaised, BarredAward
from services.events.emitted import EligibilityChanged, EligibilityReasonRef, reasons_key
from services.platform.off_the_loop import for_batch
from services.platform.postgres.database import Connection
from services.registry.reads.screening import records_at
from services.registry.storage.awards_by_vendor import RecordedAward, awards_between

# A vendor and an alert about it.
VendorAlert = tuple[str, AlertRaised]
# Tells an award's alert raised by a later announcement from its own (`on_awards`'s) id.
_LATE = "barred later"


def reaches_back_from(previous: Seen | None, now: Seen) -> dt.date | None:
    """The first day the announcement `now` may bar that the one before (`previous`) did not:
    the earliest start of its reasons that the previous one did not give (none: the vendor
    started eligible). A reason compared without its last day: a bar made longer bars no day
    gone by (it barred them already). None: no new reason, so no day newly barred; or the
    previous reasons unknown (seen before they were kept): every award since the bar's start
    would be told, news or not, as announcements recorded before this was installed tell
    none (a reviewer's finding)."""
    if now.eligible or not now.reasons:
        return None
    if previous is not None and previous.reasons is None:
        return None
    said = previous.reasons if previous is not None else None
    before = {_without_end(r) for r in said or ()}
    new = [r.starts_on for r in now.reasons if _without_end(r) not in before]
    return min(new, default=None)


def _without_end(reason: EligibilityReasonRef) -> str:
    return reasons_key([reason.model_copy(update={"ends_on": None})])


async def awards_barred_later(
    conn: Connection,
    vendor_id: str,
    announced: EligibilityChanged,
    first: dt.date,
    raised_at: dt.datetime,
    watched: Mapping[str, list[str]],
) -> list[VendorAlert]:
    """The alerts of the vendor's awards made from `first` to the announcement's day, recorded
    before it (`raised_at`), that the vendor was barred from on their day as known then and
    that were not told as such; `watched`: agency → its lists naming the vendor."""
    awards = await awards_between(conn, vendor_id, first, announced.as_of, raised_at)
    if not awards:
        return []
    own = await repository.alerts_named(
        conn, [alert_id(a.agency, a.event_id, vendor_id) for a in awards]
    )
    untold = [
        a
        for a in awards
        # Its own id is an already_barred's too (a watch the award started): no award then.
        if (told := own.get(alert_id(a.agency, a.event_id, vendor_id))) is None
        or told.award is None
    ]
    records = await records_at(conn, [vendor_id], raised_at, first)

    def judged(batch: Sequence[RecordedAward]) -> list[VendorAlert]:
        alerts = []
        for a in batch:
            bar = bar_in(records, vendor_id, a.awarded_on, a.agency, a.category)
            if bar is None:
                continue
            raised = AlertRaised(
                alert_id=alert_id(a.agency, a.event_id, f"{vendor_id}\x1f{_LATE}"),
                agency=a.agency,
                change=AlertChange.AWARDED_WHILE_BARRED,
                as_of=a.awarded_on,
                eligible_again_on=bar.eligible_again_on,
                reasons=bar.reasons,
                extended_by=bar.extended_by,
                watchlists=watched.get(a.agency, []),
                cause_event_id=a.event_id,
                raised_at=raised_at,
                award=BarredAward(contract_id=a.contract_id, title=a.title, category=a.category),
            )
            alerts.append((vendor_id, raised))
        return alerts

    return await for_batch(judged, untold)
