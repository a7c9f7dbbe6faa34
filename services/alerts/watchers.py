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
    recorded_before: dt.datetime | None = None,
    *,
    to_start: bool = True,
) -> dict[str, dict[str, list[str]]]:
    """Vendor → agency watching it → its watchlists naming it, the automatic one (a contract
    not ended on `on`; of those the log recorded before `recorded_before` only, when given;
    running on `on` only, not `to_start`) first; two statements whatever the number of
    vendors."""
    contracting = await agencies_contracting(
        conn, vendor_ids, on, recorded_before, to_start=to_start
    )
    watched: dict[str, dict[str, list[str]]] = {
        vendor_id: {agency: [RUNNING_CONTRACTS] for agency in agencies}
        for vendor_id, agencies in contracting.items()
    }
    for vendor_id, named in (await repository.watchlists_naming(conn, vendor_ids)).items():
        for agency, name in named:
            watched.setdefault(vendor_id, {}).setdefault(agency, []).append(name)
    return watched
