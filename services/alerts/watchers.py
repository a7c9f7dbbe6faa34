"""Who watches vendors on a day: each agency with a contract of a vendor awarded and not ended
then, started or still to start (its automatic watchlist, read from the registry's contracts,
never copied), or a saved watchlist naming it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.alerts import repository
from services.alerts.changes import RUNNING_CONTRACTS
from services.platform.postgres.database import Connection
from services.registry.storage.record_repository import agencies_contracting


async def watching(
    conn: Connection,
    vendor_ids: Sequence[str],
    on: dt.date,
    recorded: dt.datetime,
    *,
    to_start: bool,
) -> dict[str, dict[str, list[str]]]:
    """Vendor → agency watching it → its watchlists naming it, the automatic one first (two
    statements whatever the number of vendors), for an event the log recorded at `recorded`:
    a contract not ended on `on` that the log had recorded by then, the same live and
    replayed. Not `to_start` (recorded before alerts' migration 0017): a contract running on
    `on`, as the registry's contracts stand, as the consumer before it read them."""
    contracting = await agencies_contracting(
        conn, vendor_ids, on, recorded if to_start else None, to_start=to_start
    )
    watched: dict[str, dict[str, list[str]]] = {
        vendor_id: {agency: [RUNNING_CONTRACTS] for agency in agencies}
        for vendor_id, agencies in contracting.items()
    }
    for vendor_id, named in (await repository.watchlists_naming(conn, vendor_ids)).items():
        for agency, name in named:
            watched.setdefault(vendor_id, {}).setdefault(agency, []).append(name)
    return watched
