"""The alerts raised when an agency starts watching vendors: a saved list naming them, or a
contract awarded to one that has not ended on the day the log recorded it (started or still to
start) (ARCHITECTURE.md,
"Watchlists and alerts"). Each vendor barred at the agency then is told at once
(`already_barred.py`). An award made to a vendor barred from it on the award day is told
instead (`AWARDED_WHILE_BARRED`), whatever the agency was told before: the award is a fact
the registry records, refusing nothing, and what is irregular is the award, not news of the
bar. Both are judged as the log held the records before the save or the award, by its place
in the log (`records_in_order`), so that the alerts consumer applied again raises the same
alerts, however the events were batched; each alert's id comes from
the agency, the event and the vendor, so a redelivery or a replay finds it.

Awards are half of what a registry receives: those recorded at one moment (one ingest batch)
are judged together, their vendors' records read in three statements (four when the moment
changed a sanction of theirs), most of them found never sanctioned, and their alerts raised
in one go."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from services.alerts import repository
from services.alerts.already_barred import already_barred
from services.alerts.bars import Bar, bar_in, bars_at
from services.alerts.changes import RUNNING_CONTRACTS, Told, alert_id
from services.alerts.watchers import watching
from services.events.alerts import AlertChange, AlertRaised, BarredAward, WatchlistSaved
from services.events.contract import ContractAwarded
from services.platform.eventstore.chain import partition_of
from services.platform.off_the_loop import for_batch
from services.platform.postgres.database import Connection
from services.registry.reads.records_in_order import records_before

# A vendor and an alert about it.
VendorAlert = tuple[str, AlertRaised]


@dataclass(frozen=True)
class Award:
    """A `contract.awarded` to judge."""

    event_id: uuid.UUID
    vendor_id: str
    awarded: ContractAwarded


@dataclass(frozen=True)
class _Found:
    """A bar an event may tell an agency of: `award` given, the award's own alert; else the
    watch `started_by` (a list's name, or the automatic one) starts on a barred vendor."""

    event_id: uuid.UUID
    vendor_id: str
    agency: str
    day: dt.date
    bar: Bar
    started_by: str
    award: ContractAwarded | None = None


async def on_save(
    conn: Connection,
    event_id: uuid.UUID,
    partition: int,
    saved: WatchlistSaved,
    recorded: dt.datetime,
    in_order: bool,
    to_start: bool,
) -> list[VendorAlert]:
    """The vendors of a saved list barred at its agency when the log recorded the save (on
    the log's `partition`, its list's), each told unless its last alert told the agency this
    bar already (an earlier save of the list among them). A vendor's changes stored ahead of
    the save in its batch count only on that partition (`records_in_order`); none unless
    `in_order` (a save recorded before that was installed is judged just before its moment).
    `to_start`: as `on_awards`'s, for the other watchlists an alert names."""
    day = recorded.date()
    bars = await bars_at(
        conn, event_id, partition, saved.vendor_ids, saved.agency, recorded, in_order
    )
    found = [_Found(event_id, v, saved.agency, day, bar, saved.name) for v, bar in bars.items()]
    return await _alerts(conn, found, recorded, to_start)


async def on_awards(
    conn: Connection,
    awards: Sequence[Award],
    recorded: dt.datetime,
    in_order: bool,
    to_start: bool,
) -> list[VendorAlert]:
    """Awards the log recorded at one moment, in its order. One made to a vendor barred from
    it on the award day (its agency and category) is told to its agency. Else a contract not
    ended on the day recorded, started or still to start, puts its vendor on the agency's
    automatic watchlist: told at once if barred there then. One alert per award at most. Not
    `in_order` (recorded before that was installed): judged just before the moment, as then.
    Not `to_start` (recorded before alerts' migration 0017): a contract still to start
    watched from its first day, as then (nothing told of it)."""
    day = recorded.date()
    # Each award is judged on its own day and, when not ended, on the day recorded.
    since = min(day, *(a.awarded.awarded_on for a in awards))
    # Each judged as the log held the records before it: a sanction its batch stored ahead
    # of it counts, one stored after does not.
    records = await records_before(
        conn,
        [a.vendor_id for a in awards],
        [a.event_id for a in awards],
        recorded,
        since,
        in_order,
    )

    def judged(batch: Sequence[Award]) -> list[_Found]:
        # Up to a millisecond a barred vendor's award: a batch's, in a worker thread.
        found = []
        for a in batch:
            terms = a.awarded
            held = records.before(a.vendor_id, a.event_id, partition_of(a.vendor_id))
            barred = bar_in(held, a.vendor_id, terms.awarded_on, terms.agency, terms.category)
            if barred is not None:
                found.append(
                    _Found(
                        a.event_id,
                        a.vendor_id,
                        terms.agency,
                        terms.awarded_on,
                        barred,
                        RUNNING_CONTRACTS,
                        terms,
                    )
                )
            elif (to_start or terms.starts_on <= day) and day <= terms.ends_on:
                bar = bar_in(held, a.vendor_id, day, terms.agency)
                if bar is not None:
                    found.append(
                        _Found(a.event_id, a.vendor_id, terms.agency, day, bar, RUNNING_CONTRACTS)
                    )
        return found

    return await _alerts(conn, await for_batch(judged, awards), recorded, to_start)


async def _alerts(
    conn: Connection, found: Sequence[_Found], recorded: dt.datetime, to_start: bool
) -> list[VendorAlert]:
    """The alerts of what was `found` by events recorded at `recorded`, in order: a watch's
    left out when the agency's last alert told it this bar already, counting the alerts raised
    before it at the same moment (in this call)."""
    if not found:
        return []
    vendors = list(dict.fromkeys(f.vendor_id for f in found))
    told = await repository.last_told(
        conn, vendors, list(dict.fromkeys(f.agency for f in found)), by=recorded
    )
    watched = await watching(conn, vendors, recorded.date(), recorded, to_start=to_start)
    alerts = []
    for f in found:
        pair = (f.vendor_id, f.agency)
        if f.award is None:
            change = already_barred(f.bar.reasons, f.bar.eligible_again_on, told.get(pair))
            if change is None:
                continue
        names = watched.get(f.vendor_id, {}).get(f.agency, [])
        alerts.append((f.vendor_id, _raised(f, _named(names, f), recorded)))
        told[pair] = Told(f.bar.eligible_again_on, True, tuple(f.bar.reasons))
    return alerts


def _named(names: list[str], found: _Found) -> list[str]:
    """The agency's watchlists naming the vendor, with the one the event starts (a list
    replayed after it was saved again without the vendor, or a contract ended early, named
    it then). An award's alert names only the lists there are: it is told to the awarding
    agency whether it watches the vendor or not."""
    if found.award is not None or found.started_by in names:
        return names
    if found.started_by == RUNNING_CONTRACTS:
        return [RUNNING_CONTRACTS, *names]
    return [*names, found.started_by]


def _raised(found: _Found, names: list[str], recorded: dt.datetime) -> AlertRaised:
    awarded = found.award
    bar = found.bar
    # `award` is written only when given (LaterFields): not at all for another kind.
    award: dict[str, Any] = (
        {}
        if awarded is None
        else {
            "award": BarredAward(
                contract_id=awarded.contract_id, title=awarded.title, category=awarded.category
            )
        }
    )
    return AlertRaised(
        alert_id=alert_id(found.agency, found.event_id, found.vendor_id),
        agency=found.agency,
        change=AlertChange.ALREADY_BARRED if awarded is None else AlertChange.AWARDED_WHILE_BARRED,
        as_of=found.day,
        eligible_again_on=bar.eligible_again_on,
        reasons=bar.reasons,
        extended_by=bar.extended_by,
        watchlists=names,
        cause_event_id=found.event_id,
        raised_at=recorded,
        **award,
    )
