"""A vendor's awards made on a span of days, as the log had recorded them by a moment: the
awards a sanction recorded after the days it bars may have made irregular (the alerts'
`late_bars.py`). Read by the index (vendor_id, awarded_on) (migration 0020), so one
announcement reads the awards of the days it reaches back to, not the vendor's history."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from services.platform.postgres.database import Connection


@dataclass(frozen=True)
class RecordedAward:
    """A contract as awarded: what scopes a sanction (agency, category) and the award's event."""

    contract_id: str
    title: str
    agency: str
    category: str
    awarded_on: dt.date
    event_id: uuid.UUID  # the contract.awarded
    recorded_at: dt.datetime  # when the log recorded it


async def awards_between(
    conn: Connection, vendor_id: str, first: dt.date, last: dt.date, recorded_before: dt.datetime
) -> list[RecordedAward]:
    """The vendor's awards made from `first` to `last` (inclusive) that the log recorded before
    `recorded_before`, by award day and contract: one recorded later is not counted, applied
    live or again from nothing alike."""
    rows = await conn.fetch(
        """SELECT contract_id, title, agency, category, awarded_on, event_id, recorded_at
           FROM registry_contracts
           WHERE vendor_id = $1 AND awarded_on BETWEEN $2 AND $3 AND recorded_at < $4
           ORDER BY awarded_on, contract_id""",
        vendor_id,
        first,
        last,
        recorded_before,
    )
    return [RecordedAward(**dict(r)) for r in rows]
