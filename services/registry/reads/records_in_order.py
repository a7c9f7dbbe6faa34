"""Vendors' records as the log held them just before events it recorded at one moment, by the
events' place in the log.

One instant holds every event of an ingest batch (`recorded_at` is its transaction's time), so
"as known at" a time cannot tell what the batch stored before an event from what it stored
after: judged just before the instant, a sanction stored ahead of an award in its own batch
went unseen (the same facts published in two batches were judged otherwise); judged at it, one
stored after counted, and only when the registry had applied it before the event was judged,
so not alike in a replay. The log's position (`event_store.position`, the order appends are
written in) orders a batch's events: a sanction, an amendment or a lift counts for an event
when the log recorded it before the event's moment, or at it ahead of the event. The records
are read once for all the moment's events (`records_before`), and each event's vendor judged
from those (`InOrder.before`): a vendor none of whose sanctions (or its affiliates') changed
at the moment, most of them, from the records as they stood before it.

Only changes on the asking event's own partition count within its moment (the vendor's own,
an affiliate's or a listed vendor's that shares it; `chain.partition_of`): the alerts wait for
the registry on that partition alone, and a registry consuming partitions apart may not have
applied another partition's change of the same batch when the event is judged live, while a
replay would find it. Another partition's vendors are judged as they stood before the moment;
their changes at it are told by their own announcements.

Affiliations are as they stood before the moment (`vendor_repository.affiliation_events`
dates them by the same instant, and a vendor's affiliates decide which sanctions are read).
"""

from __future__ import annotations

import bisect
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import asyncpg

from services.platform.eventstore.chain import partition_of
from services.platform.eventstore.recorded_time import positions
from services.platform.postgres.database import Connection
from services.registry.domain.affiliations import Period, affiliates_by_vendor, periods_by_pair
from services.registry.reads.screening import (
    Records,
    everyone,
    sanction_rows_from,
    timelines_by_vendor,
)
from services.registry.storage import sanction_repository, vendor_repository

# The resolution of PostgreSQL's timestamps: the last moment before an instant.
_INSTANT = dt.timedelta(microseconds=1)


def just_before(moment: dt.datetime) -> dt.datetime:
    """The last moment before `moment`: what the log held before the batch it recorded then."""
    return moment - _INSTANT


@dataclass(frozen=True)
class InOrder:
    """Vendors' records through a moment of the log, to be cut at an event's place in it."""

    moment: dt.datetime
    related: dict[str, dict[str, list[Period]]]
    # What stood before the moment: a vendor whose records did not change at it, or an
    # event ahead of every change of them.
    earlier: Records
    # Each vendor's sanction rows, read through the moment (with its changes then).
    rows: dict[str, list[asyncpg.Record]]
    # Where the log holds the moment's sanction events and the events asking.
    placed: dict[uuid.UUID, int]
    # Each vendor → the places of its own sanction events recorded at the moment, in order.
    changed: dict[str, list[int]]
    _cut: dict[tuple[str, int, int], Records] = field(default_factory=dict, compare=False)
    # Each vendor's places of its and its affiliates' changes at the moment on a partition,
    # sorted once: a vendor's awards of a batch ask them each.
    _places: dict[tuple[str, int], list[int]] = field(default_factory=dict, compare=False)

    def before(self, vendor_id: str, event_id: uuid.UUID, partition: int) -> Records:
        """Records for judging `vendor_id` as the log held them before the event `event_id`
        of the moment, on the log's `partition` (one applied without the log: before the
        moment). Changes at the moment of vendors on other partitions do not count."""
        vendors = [vendor_id, *self.related.get(vendor_id, {})]
        here = [v for v in vendors if partition_of(v) == partition]
        places = self._places.get((vendor_id, partition))
        if places is None:
            places = self._places[vendor_id, partition] = sorted(
                p for v in here for p in self.changed.get(v, ())
            )
        place = self.placed.get(event_id)
        ahead = 0 if place is None else bisect.bisect_left(places, place)
        if ahead == 0:
            return self.earlier
        key = (vendor_id, partition, ahead)
        found = self._cut.get(key)
        if found is None:
            cut = places[ahead - 1] + 1  # every change of them ahead of the event, no other
            rows = [
                r
                for v in vendors
                for r in _as_placed(
                    self.rows.get(v, ()), self.moment, self.placed, cut if v in here else None
                )
            ]
            found = self._cut[key] = Records(
                {vendor_id: self.related.get(vendor_id, {})}, timelines_by_vendor(rows)
            )
        return found


def _as_placed(
    rows: Sequence[asyncpg.Record],
    moment: dt.datetime,
    placed: Mapping[uuid.UUID, int],
    cut: int | None,
) -> list[sanction_repository.Row]:
    """The rows as the log held them before the place `cut` of the moment (None: before the
    moment): a row, or a change of one, recorded at it counts when placed ahead of `cut`.
    Rows the moment left alone are given as read (the timelines' cache knows them)."""

    def counts(row: sanction_repository.Row) -> bool:
        if row["recorded_at"] < moment:
            return True
        place = placed.get(row["event_id"])
        return cut is not None and place is not None and place < cut

    kept: list[sanction_repository.Row] = []
    for row in rows:
        if not counts(row):
            continue
        changes = row["changes"]
        known = [c for c in changes if counts(c)]
        kept.append(row if len(known) == len(changes) else {**row, "changes": known})
    return kept


async def records_before(
    conn: Connection,
    vendor_ids: Sequence[str],
    event_ids: Sequence[uuid.UUID],
    moment: dt.datetime,
    since: dt.date,
    in_order: bool,
) -> InOrder:
    """The records of `vendor_ids` for judging the events `event_ids`, all recorded at
    `moment`, each as the log held them before it, to be asked about `since` or later days
    (`InOrder.before`): three queries whatever the number of vendors and events, four when
    the moment changed a sanction of theirs (two when not `in_order`: every event judged
    just before the moment)."""
    before = just_before(moment)
    periods = periods_by_pair(await vendor_repository.affiliation_events(conn, vendor_ids, before))
    related = affiliates_by_vendor(vendor_ids, periods)
    # Not `in_order`: every event judged just before the moment (as the alerts judged those
    # recorded before this was installed).
    events = (
        await sanction_repository.placed_at(conn, everyone(related), moment) if in_order else []
    )
    if not events:
        rows = await sanction_rows_from(conn, related, before, since)
        earlier = Records(related, timelines_by_vendor(rows))
        return InOrder(moment, related, earlier, {}, {}, {})
    # Read through the moment, with the sanctions it changed whatever their days: one lifted
    # at it (from before `since`) may still bar an event ahead of the lift.
    named = sorted({e["sanction_id"] for e in events})
    rows = await sanction_rows_from(conn, related, moment, since, named)
    placed = {e["event_id"]: e["position"] for e in events} | await positions(conn, event_ids)
    changed: dict[str, list[int]] = defaultdict(list)
    by_vendor: dict[str, list[asyncpg.Record]] = defaultdict(list)
    for e in events:
        changed[e["vendor_id"]].append(e["position"])
    for row in rows:
        by_vendor[row["vendor_id"]].append(row)
    earlier = Records(related, timelines_by_vendor(_as_placed(rows, moment, placed, None)))
    return InOrder(moment, related, earlier, dict(by_vendor), placed, dict(changed))
