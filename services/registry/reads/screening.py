"""Eligibility of many vendors in a bounded number of queries, as known at a moment."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from services.platform.off_the_loop import for_batch
from services.platform.postgres.database import Connection
from services.registry.domain.affiliations import (
    Pair,
    Period,
    affiliates_by_vendor,
    periods_by_pair,
)
from services.registry.domain.eligibility import Eligibility, Exposure, evaluate
from services.registry.domain.sanction_timeline import SanctionTimeline
from services.registry.reads.timeline_cache import TimelineCache
from services.registry.storage import sanction_repository, vendor_repository

# The process's timelines, shared by every screen (timeline_cache.py says why that is safe).
TIMELINES = TimelineCache()


async def screen(
    conn: Connection,
    vendor_ids: Sequence[str],
    as_of: dt.date,
    *,
    agency: str | None = None,
    category: str | None = None,
    known_at: dt.datetime | None = None,
) -> dict[str, Eligibility]:
    """Eligibility of every vendor in `vendor_ids` (registered ones) on `as_of`, from the
    record as it stood at `known_at` (now, when None). Three queries for any number."""
    periods = periods_by_pair(
        await vendor_repository.affiliation_events(conn, vendor_ids, known_at)
    )
    return await screen_within(
        conn, vendor_ids, periods, as_of, agency=agency, category=category, known_at=known_at
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
) -> dict[str, Eligibility]:
    """`screen` with the affiliations already read: `periods` must hold every pair of a
    vendor of `vendor_ids` with a vendor that has sanctions. One query for any number; the
    judgement of a batch runs in a worker thread (5,000 bidders take tens of milliseconds)."""
    related = affiliates_by_vendor(vendor_ids, periods)
    everyone = set(related)
    for affiliates in related.values():
        everyone.update(affiliates)
    rows = await sanction_repository.sanction_rows(conn, sorted(everyone), known_at)
    return await for_batch(
        lambda vendors: judged(vendors, related, rows, as_of, agency=agency, category=category),
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
) -> dict[str, Eligibility]:
    """The judgement of `vendor_ids` from their affiliates (`affiliates_by_vendor`) and the
    sanction rows of them and their affiliates (`sanction_repository.sanction_rows`)."""
    by_vendor: dict[str, list[SanctionTimeline]] = defaultdict(list)
    for row in rows:
        timeline = TIMELINES.timeline(row)
        by_vendor[timeline.vendor_id].append(timeline)
    return {
        vendor_id: evaluate(
            vendor_id,
            exposures(vendor_id, by_vendor, related[vendor_id]),
            as_of,
            agency=agency,
            category=category,
        )
        for vendor_id in vendor_ids
    }


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
