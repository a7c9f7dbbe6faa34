"""Who is barred on a day, for other systems: every barred vendor with its names, identifiers
and every reason, read a page of vendors at a time, so that memory stays the same whatever the
registry's size. The same rules as `bidEligibility` (screening.py): a vendor barred through an
affiliate's sanction is listed too, the reason naming the affiliate. Each exclusion also says
which of its sanctions cover affiliates (a reason does not say it, and another registry
importing the export needs it to bar the affiliates it knows)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
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


@dataclass(frozen=True)
class LaterScope:
    """A reason's scope from a change dated after the day asked, as a reason of its own from
    that day, and whether that scope covers affiliates."""

    reason: Reason
    covers_affiliates: bool


@dataclass(frozen=True)
class Exclusion:
    vendor: VendorRow
    eligibility: Eligibility  # barred: every reason, and when the vendor may bid again
    # The sanctions of its reasons and upcoming ones whose terms (on the day asked, or the
    # first day after it that an upcoming one is in force) cover affiliates; a reason through
    # an affiliate is always one.
    covering_affiliates: frozenset[str] = frozenset()
    # The reasons' scopes from changes dated after the day asked (narrowed to one agency from
    # next month): each reason, exported as a scope, ends the day before (`reasons_as_scopes`),
    # so that a registry importing the export bars at each scope on its own days.
    later_scopes: tuple[LaterScope, ...] = ()

    def reasons_as_scopes(self) -> list[Reason]:
        """The reasons, each until the day before its scope changes after the day asked."""
        firsts: dict[str, dt.date] = {}
        for later in self.later_scopes:
            firsts.setdefault(later.reason.sanction_id, later.reason.starts_on)
        return [
            dataclasses.replace(r, ends_on=firsts[r.sanction_id] - ONE_DAY)
            if r.sanction_id in firsts
            else r
            for r in self.eligibility.reasons
        ]


def _later_scopes(
    answer: Eligibility, timelines: dict[str, SanctionTimeline]
) -> tuple[LaterScope, ...]:
    """Each reason's scopes from the changes of scope after the day asked, up to its end: a
    scope change alone neither starts nor ends a bar (an affiliate's coverage ending ends
    the reason itself, before the change), so each later scope bars from its change on."""
    found = []
    for reason in answer.reasons:
        timeline = timelines.get(reason.sanction_id)
        if timeline is None:  # an affiliate's sanction on a vendor not barred itself
            continue
        changes = [
            day
            for day in timeline.scope_changes
            if day > answer.as_of and (reason.ends_on is None or day <= reason.ends_on)
        ]
        for day, following in itertools.zip_longest(changes, changes[1:]):
            terms = timeline.terms_on(day)
            ends_on = reason.ends_on if following is None else following - ONE_DAY
            scope = dataclasses.replace(
                reason,
                starts_on=day,
                ends_on=ends_on,
                agencies=terms.agencies,
                categories=terms.categories,
            )
            covers = reason.via_vendor_id is not None or terms.covers_affiliates
            found.append(LaterScope(scope, covers))
    return tuple(found)


def _covering(answer: Eligibility, timelines: dict[str, SanctionTimeline]) -> frozenset[str]:
    def covers(reason: Reason, day: dt.date) -> bool:
        if reason.via_vendor_id is not None:
            return True
        timeline = timelines.get(reason.sanction_id)
        return timeline is not None and timeline.terms_on(day).covers_affiliates

    later = answer.as_of + ONE_DAY
    return frozenset(
        [r.sanction_id for r in answer.reasons if covers(r, answer.as_of)]
        + [r.sanction_id for r in answer.upcoming if covers(r, max(r.starts_on, later))]
    )


async def exclusions(pool: asyncpg.Pool, as_of: dt.date) -> AsyncIterator[Exclusion]:
    """The vendors barred on `as_of`, in vendor id order. Each page is read on its own, so a
    long export sees each vendor as it was when its page was read."""
    after: str | None = None
    while True:
        async with pool.acquire() as conn:
            ids, _ = await vendor_repository.vendor_page(conn, after, MAX_BATCH)
            if not ids:
                return
            answers = await screen(conn, ids, as_of)
            barred = [v for v in ids if not answers[v].eligible]
            vendors = await vendor_repository.fetch_vendors(conn, barred) if barred else {}
            timelines = {
                t.sanction_id: t
                for t in (await sanction_repository.timelines(conn, barred, None) if barred else [])
            }
        for vendor_id in barred:
            answer = answers[vendor_id]
            covering = _covering(answer, timelines)
            later = _later_scopes(answer, timelines)
            yield Exclusion(vendors[vendor_id], answer, covering, later)
        after = ids[-1]
