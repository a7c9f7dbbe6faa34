"""Who is barred on a day, for other systems: every barred vendor with its names, identifiers
and every reason, read a page of vendors at a time, so that memory stays the same whatever the
registry's size. The same rules as `bidEligibility` (screening.py): a vendor barred through an
affiliate's sanction is listed too, the reason naming the affiliate. Each exclusion also says
which of its sanctions cover affiliates (a reason does not say it, and another registry
importing the export needs it to bar the affiliates it knows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg

from services.registry.domain.eligibility import Eligibility, Reason
from services.registry.domain.sanction_timeline import SanctionTimeline
from services.registry.reads.queries import MAX_BATCH
from services.registry.reads.screening import screen
from services.registry.storage import sanction_repository, vendor_repository
from services.registry.storage.vendor_repository import VendorRow

ONE_DAY = dt.timedelta(days=1)


# A bar of a sanction: its id and the bar's first day (`Reason.bars_from`), since a sanction
# may bar now and again after a gap, under other terms.
Bar = tuple[str, dt.date | None]


def bar_of(reason: Reason) -> Bar:
    return (reason.sanction_id, reason.bars_from)


@dataclass(frozen=True)
class Exclusion:
    vendor: VendorRow
    # Barred: every reason, and when the vendor may bid again; or (`exclusions(later=True)`)
    # no reason, and the bars still to come.
    eligibility: Eligibility
    # The bars (`bar_of`) of its reasons and upcoming ones whose terms (on the day asked, or
    # the first day after it that an upcoming one is in force) cover affiliates; a reason
    # through an affiliate is always one.
    covering_affiliates: frozenset[Bar] = frozenset()


def covering_affiliates(
    answer: Eligibility, timelines: dict[str, SanctionTimeline]
) -> frozenset[Bar]:
    """The bars of `answer` whose terms cover affiliates (each on its own day: a bar after a
    gap may cover them where the one before did not), and every bar through an affiliate."""

    def covers(reason: Reason, day: dt.date) -> bool:
        if reason.via_vendor_id is not None:
            return True
        timeline = timelines.get(reason.sanction_id)
        return timeline is not None and timeline.terms_on(day).covers_affiliates

    later = answer.as_of + ONE_DAY
    return frozenset(
        [bar_of(r) for r in answer.reasons if covers(r, answer.as_of)]
        + [bar_of(r) for r in answer.upcoming if covers(r, max(r.starts_on, later))]
    )


async def exclusions(
    pool: asyncpg.Pool, as_of: dt.date, *, later: bool = False
) -> AsyncIterator[Exclusion]:
    """The vendors barred on `as_of`, in vendor id order; `later`: and those a sanction
    already recorded bars only later (a registry importing the export must not lift those
    bars for the vendor's absence). Each page is read on its own, so a long export sees each
    vendor as it was when its page was read."""
    after: str | None = None
    while True:
        async with pool.acquire() as conn:
            ids = await vendor_repository.vendor_page(conn, after, MAX_BATCH)
            if not ids:
                return
            answers = await screen(conn, ids, as_of)
            barred = [v for v in ids if not answers[v].eligible or (later and answers[v].upcoming)]
            vendors = await vendor_repository.fetch_vendors(conn, barred) if barred else {}
            timelines = {
                t.sanction_id: t
                for t in (await sanction_repository.timelines(conn, barred, None) if barred else [])
            }
        for vendor_id in barred:
            answer = answers[vendor_id]
            yield Exclusion(vendors[vendor_id], answer, covering_affiliates(answer, timelines))
        after = ids[-1]
