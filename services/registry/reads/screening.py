"""Eligibility of many vendors in a bounded number of queries, as known at a moment."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import asyncpg

from services.platform.off_the_loop import for_batch
from services.platform.postgres.database import Connection
from services.platform.rebuilt_caches import forgotten_after_rebuilds
from services.registry.domain.affiliations import (
    Pair,
    Period,
    affiliates_by_vendor,
    periods_by_pair,
)
from services.registry.domain.eligibility import (
    Eligibility,
    Exposure,
    Reason,
    barring_reasons,
    evaluate,
)
from services.registry.domain.periods import ONE_DAY
from services.registry.domain.sanction_timeline import SanctionTimeline
from services.registry.reads.timeline_cache import TimelineCache
from services.registry.storage import sanction_repository, sanctions_by_day, vendor_repository

# The process's timelines, shared by every screen (timeline_cache.py says why that is safe),
# forgotten when a rebuild commits.
TIMELINES = forgotten_after_rebuilds(TimelineCache())


async def screen(
    conn: Connection,
    vendor_ids: Sequence[str],
    as_of: dt.date,
    *,
    agency: str | None = None,
    category: str | None = None,
    known_at: dt.datetime | None = None,
    with_bars_from: bool = True,
) -> dict[str, Eligibility]:
    """Eligibility of every vendor in `vendor_ids` (registered ones) on `as_of`, from the
    record as it stood at `known_at` (now, when None). Three queries for any number.
    `with_bars_from`: as `eligibility.evaluate`'s (False: the reasons without the first
    day of their bar, for an answer that does not show it)."""
    periods = periods_by_pair(
        await vendor_repository.affiliation_events(conn, vendor_ids, known_at)
    )
    return await screen_within(
        conn,
        vendor_ids,
        periods,
        as_of,
        agency=agency,
        category=category,
        known_at=known_at,
        with_bars_from=with_bars_from,
    )


async def screen_within(
    conn: Connection,
    vendor_ids: Iterable[str],
    periods: dict[Pair, list[Period]],
    as_of: dt.date,
    *,
    agency: str | None = None,
    category: str | None = None,
    known_at: dt.datetime | None = None,
    with_bars_from: bool = True,
) -> dict[str, Eligibility]:
    """`screen` with the affiliations already read: `periods` must hold every pair of a
    vendor of `vendor_ids` with a vendor that has sanctions. One query for any number; the
    judgement of a batch runs in a worker thread (5,000 bidders take tens of milliseconds)."""
    related = affiliates_by_vendor(vendor_ids, periods)
    rows = await sanction_rows_from(conn, related, known_at, as_of)
    return await for_batch(
        lambda vendors: judged(
            vendors,
            related,
            rows,
            as_of,
            agency=agency,
            category=category,
            with_bars_from=with_bars_from,
        ),
        list(related),
    )


def judged(
    vendor_ids: Iterable[str],
    related: Mapping[str, Mapping[str, Sequence[Period]]],
    rows: Iterable[sanction_repository.Row],
    as_of: dt.date,
    *,
    agency: str | None,
    category: str | None,
    with_bars_from: bool = True,
) -> dict[str, Eligibility]:
    """The judgement of `vendor_ids` from their affiliates (`affiliates_by_vendor`) and the
    sanction rows of them and their affiliates (`sanction_repository.sanction_rows`);
    `with_bars_from` as `eligibility.evaluate`'s."""
    by_vendor = timelines_by_vendor(rows)
    return {
        vendor_id: evaluate(
            vendor_id,
            exposures(vendor_id, by_vendor, related[vendor_id]),
            as_of,
            agency=agency,
            category=category,
            with_bars_from=with_bars_from,
        )
        for vendor_id in vendor_ids
    }


@dataclass(frozen=True)
class Records:
    """Vendors' records as they stood at a moment, read once (`records_at`): judged for each
    vendor on its own day, agency and category (the alerts judge each award of a batch on its
    day, at its agency, in its category) without reading again. Each answer is what it is
    asked for alone: most of an answer's cost is the day it may bid again and the bars to come,
    which a vendor barred nowhere does not need.

    Whether each of a vendor's exposures bars, and every field of its reason (its end above
    all), change only on the exposures' breakpoints (`Exposure.breakpoints`, what `evaluate`
    relies on too), so a vendor's answers are the same on every day between two of them: each
    is worked out once per stretch (a barred vendor's awards of a batch fall on few stretches:
    four in five of the alerts' answers were asked before in the benchmark's workload). The
    day it may bid again depends on the agency and category asked, unless none of its
    sanctions is scoped."""

    related: dict[str, dict[str, list[Period]]]
    by_vendor: dict[str, list[SanctionTimeline]]
    # Each vendor's exposures, made once: a batch asks several answers of a vendor.
    _exposed: dict[str, list[Exposure]] = field(default_factory=dict, compare=False)
    # Each vendor's breakpoints, and whether its sanctions are scoped to agencies or categories.
    _stretches: dict[str, tuple[tuple[dt.date, ...], bool]] = field(
        default_factory=dict, compare=False
    )
    _reasons: dict[tuple[str, int], tuple[Reason, ...]] = field(default_factory=dict, compare=False)
    _again: dict[
        tuple[str, int, str | None, str | None], tuple[dt.date | None, tuple[Reason, ...]]
    ] = field(default_factory=dict, compare=False)

    def bars(self, vendor_id: str, as_of: dt.date, *, agency: str, category: str | None) -> bool:
        """Whether anything bars the vendor at `agency` (in `category`) on `as_of`."""
        return any(e.bars_on(as_of, agency, category) for e in self._exposures(vendor_id))

    def reasons(self, vendor_id: str, as_of: dt.date) -> tuple[Reason, ...]:
        """The reasons of the vendor's answer for any agency and category (without their
        `bars_from`, which reads each sanction's changes)."""
        key = (vendor_id, self._stretch(vendor_id, as_of)[0])
        found = self._reasons.get(key)
        if found is None:
            found = self._reasons[key] = barring_reasons(
                self._exposures(vendor_id), as_of, bars_from=False
            )
        return found

    def again(
        self, vendor_id: str, as_of: dt.date, *, agency: str, category: str | None
    ) -> tuple[dt.date | None, tuple[Reason, ...]]:
        """The first day the vendor may bid at `agency` (in `category`) again, and the bars to
        come that make it (`Eligibility.extended_by`). Those are worked out only when the
        reasons' own end does not make that day: then, and only then, a bar to come extends
        it, and every bar to come is most of an answer's cost."""
        stretch, scoped = self._stretch(vendor_id, as_of)
        key = (vendor_id, stretch, agency, category) if scoped else (vendor_id, stretch, None, None)
        found = self._again.get(key)
        if found is None:
            found = self._again[key] = self._again_on(vendor_id, as_of, agency, category)
        return found

    def _again_on(
        self, vendor_id: str, as_of: dt.date, agency: str, category: str | None
    ) -> tuple[dt.date | None, tuple[Reason, ...]]:
        short = self._judged(vendor_id, as_of, agency, category, with_upcoming=False)
        ends = [r.ends_on for r in short.reasons]
        known = [end for end in ends if end is not None]
        if not ends or len(known) < len(ends) or short.eligible_again_on == max(known) + ONE_DAY:
            return short.eligible_again_on, ()
        whole = self._judged(vendor_id, as_of, agency, category, with_upcoming=True)
        return whole.eligible_again_on, whole.extended_by

    def _judged(
        self,
        vendor_id: str,
        as_of: dt.date,
        agency: str,
        category: str | None,
        *,
        with_upcoming: bool,
    ) -> Eligibility:
        return evaluate(
            vendor_id,
            self._exposures(vendor_id),
            as_of,
            agency=agency,
            category=category,
            with_upcoming=with_upcoming,
            with_bars_from=False,
        )

    def _stretch(self, vendor_id: str, as_of: dt.date) -> tuple[int, bool]:
        """Which stretch between the vendor's breakpoints `as_of` falls in, and whether any
        of its sanctions is scoped."""
        found = self._stretches.get(vendor_id)
        if found is None:
            made = self._exposures(vendor_id)
            found = self._stretches[vendor_id] = (
                tuple(sorted({day for e in made for day in e.breakpoints()})),
                any(
                    t.agencies is not None or t.categories is not None
                    for e in made
                    for t in e.sanction.terms
                ),
            )
        days, scoped = found
        return bisect.bisect_right(days, as_of), scoped

    def _exposures(self, vendor_id: str) -> list[Exposure]:
        made = self._exposed.get(vendor_id)
        if made is None:
            related = self.related.get(vendor_id, {})
            made = self._exposed[vendor_id] = exposures(vendor_id, self.by_vendor, related)
        return made


async def records_at(
    conn: Connection, vendor_ids: Sequence[str], known_at: dt.datetime | None, since: dt.date
) -> Records:
    """The records of `vendor_ids` as they stood at `known_at` (now, when None), to be asked
    about `since` or later days: `screen`'s three queries, whatever the number of vendors."""
    periods = periods_by_pair(
        await vendor_repository.affiliation_events(conn, vendor_ids, known_at)
    )
    related = affiliates_by_vendor(vendor_ids, periods)
    return Records(
        related, timelines_by_vendor(await sanction_rows_from(conn, related, known_at, since))
    )


async def sanction_rows_from(
    conn: Connection,
    related: Mapping[str, Mapping[str, Sequence[Period]]],
    known_at: dt.datetime | None,
    since: dt.date,
    named: Sequence[str] = (),
) -> list[asyncpg.Record]:
    """The sanction rows of the vendors of `related` and of their affiliates that may apply
    on `since` or later (and those of `named` sanctions whatever their days): one over
    before bars nothing then nor after, so answers for those days read what can still bar,
    not every vendor's whole record."""
    return await sanctions_by_day.rows_applying_from(
        conn, everyone(related), since, named, known_at=known_at
    )


def everyone(related: Mapping[str, Mapping[str, Sequence[Period]]]) -> list[str]:
    """The vendors of `related` and their affiliates, in id order."""
    found = set(related)
    for affiliates in related.values():
        found.update(affiliates)
    return sorted(found)


def timelines_by_vendor(
    rows: Iterable[sanction_repository.Row],
) -> dict[str, list[SanctionTimeline]]:
    """Vendor → the timelines of its sanctions, from the process's cache."""
    by_vendor: dict[str, list[SanctionTimeline]] = defaultdict(list)
    for row in rows:
        timeline = TIMELINES.timeline(row)
        by_vendor[timeline.vendor_id].append(timeline)
    return by_vendor


def exposures(
    vendor_id: str,
    by_vendor: Mapping[str, Sequence[SanctionTimeline]],
    affiliates: Mapping[str, Sequence[Period]],
) -> list[Exposure]:
    """What can bar a vendor: its own sanctions, then each affiliate's (`affiliates_of`)
    while affiliated; in this order, which is the order of an answer's reasons."""
    own = [Exposure(t) for t in by_vendor.get(vendor_id, ())]
    if not affiliates:
        return own
    return own + [
        Exposure(t, via_vendor_id=affiliate, affiliation=tuple(spans))
        for affiliate, spans in affiliates.items()
        for t in by_vendor.get(affiliate, ())
    ]
