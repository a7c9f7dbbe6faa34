"""Bid eligibility (pure): which sanctions bar a vendor on a day, and when it may bid again.

Whether a sanction bars a vendor changes only on a few days (its start, each change's
effective date, the day after each last day, an affiliation's start and end): between those
"breakpoints" nothing changes. So the first day the vendor may bid again is the first
breakpoint after the asked day on which nothing bars it, which is exact however sanctions
overlap, chain, get extended, shortened or lifted.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from services.events.sanction import SanctionKind, in_scope
from services.registry.domain.affiliations import Period
from services.registry.domain.periods import ONE_DAY
from services.registry.domain.sanction_timeline import Decision, SanctionTimeline, Terms

# Kinds that bar a vendor from bidding; a warning is recorded but bars nothing.
BARRING_KINDS = frozenset({SanctionKind.BID_SUSPENSION, SanctionKind.DEBARMENT})


def _covers(terms: Terms, agency: str | None, category: str | None) -> bool:
    return in_scope(terms.agencies, agency) and in_scope(terms.categories, category)


@dataclass(frozen=True)
class Exposure:
    """A sanction that can bar the vendor: its own, or an affiliate's that covers affiliates
    (then only while the affiliation stands)."""

    sanction: SanctionTimeline
    via_vendor_id: str | None = None
    affiliation: tuple[Period, ...] = ()
    # The reasons it gave (`reason_on`), per stretch between its breakpoints: whatever it
    # says of a day is the same on every day of that stretch, and a vendor's answers on many
    # days (the alerts' judgement of its awards) ask each of its sanctions again.
    _reasons: dict[Hashable, Reason] = field(default_factory=dict, compare=False, repr=False)

    def bars_on(self, day: dt.date, agency: str | None, category: str | None) -> bool:
        sanction = self.sanction
        if sanction.kind not in BARRING_KINDS:
            return False
        terms = sanction.terms_in_force(day)
        if terms is None or not _covers(terms, agency, category):
            return False
        if self.via_vendor_id is None:
            return True
        return terms.covers_affiliates and any(p.contains(day) for p in self.affiliation)

    def can_bar_from(self, day: dt.date) -> bool:
        """Whether it may bar on `day` or after: a barring kind that has not ended before."""
        return self.sanction.kind in BARRING_KINDS and self.sanction.applies_on_or_after(day)

    def breakpoints(self) -> tuple[dt.date, ...]:
        """The days on which whether it bars can change, in order."""
        return self._breakpoints

    @functools.cached_property
    def _breakpoints(self) -> tuple[dt.date, ...]:
        days = self.sanction.breakpoints
        if not self.affiliation:
            return days
        more = set(days)
        for period in self.affiliation:
            more.add(period.first_day)
            if period.until is not None:
                more.add(period.until)
        return tuple(sorted(more))

    @functools.cached_property
    def _scoped(self) -> bool:
        """Whether some terms of it name agencies or categories (else what it says is the
        same whatever agency and category are asked)."""
        return any(t.agencies is not None or t.categories is not None for t in self.sanction.terms)

    def reason_on(
        self, day: dt.date, agency: str | None, category: str | None, *, bars: bool
    ) -> Reason:
        """`Reason.of(self, day, agency, category, bars=bars)`, worked out once per stretch
        between its breakpoints: every field of it (its terms, its end, the first day of
        its bar) changes only on them."""
        stretch = bisect.bisect_right(self._breakpoints, day)
        key = (stretch, agency, category, bars) if self._scoped else (stretch, bars)
        found = self._reasons.get(key)
        if found is None:
            found = self._reasons[key] = Reason.of(self, day, agency, category, bars=bars)
        return found

    def last_barring_day(
        self, day: dt.date, agency: str | None, category: str | None
    ) -> dt.date | None:
        """The last day of the bar it holds on `day`, counting every change recorded (a lift,
        an amendment, the affiliate coverage or the affiliation ending, dated ahead): the
        day before the first of its breakpoints after `day` on which it no longer bars, as
        `eligible_again_on` is found; None: it bars on every one (indefinitely)."""
        free = self._first_after(day, agency, category, barring=False)
        return None if free is None else free - ONE_DAY

    def first_barring_day_after(
        self, day: dt.date, agency: str | None, category: str | None
    ) -> dt.date | None:
        """The first day after `day` on which it bars, if any."""
        if self.sanction.kind not in BARRING_KINDS:
            return None
        return self._first_after(day, agency, category, barring=True)

    def first_day_of_bar(self, day: dt.date, agency: str | None, category: str | None) -> dt.date:
        """The first day of the bar it holds on `day` (it bars that day): whether it bars is
        the same from one breakpoint to the next, so the bar began at the earliest of the
        barring breakpoints running back without a gap to `day`."""
        days = self.breakpoints()
        i = bisect.bisect_right(days, day) - 1  # the last breakpoint on or before `day`
        while i > 0 and self.bars_on(days[i - 1], agency, category):
            i -= 1
        return days[i]

    def bars_later(
        self, day: dt.date, agency: str | None, category: str | None
    ) -> list[tuple[dt.date, dt.date | None]]:
        """Each bar it holds after `day` that begins after `day` (after a gap, when it bars on
        `day` too): (first day, last day or None: no end), in order."""
        bars: list[tuple[dt.date, dt.date | None]] = []
        after: dt.date | None = (
            self.last_barring_day(day, agency, category)
            if self.bars_on(day, agency, category)
            else day
        )
        while after is not None and (
            first := self.first_barring_day_after(after, agency, category)
        ):
            after = self.last_barring_day(first, agency, category)
            bars.append((first, after))
        return bars

    def _first_after(
        self, day: dt.date, agency: str | None, category: str | None, *, barring: bool
    ) -> dt.date | None:
        """The first day after `day` on which it bars (`barring`) or does not. Whether it bars
        changes only on its own breakpoints, so that day is one of them: a vendor with many
        affiliates' sanctions does not try each of them on every other one's days."""
        days = self.breakpoints()
        for later in days[bisect.bisect_right(days, day) :]:
            if self.bars_on(later, agency, category) == barring:
                return later
        return None


@dataclass(frozen=True)
class Reason:
    """One sanction barring the vendor on a day, as a procurement officer needs to see it."""

    sanction_id: str
    kind: SanctionKind
    authority: str
    starts_on: dt.date  # the sanction's first day; an upcoming reason's: the first it bars
    # The last day it bars from that day on, as recorded (a lift, an amendment or the end of
    # an affiliation dated ahead included, as `eligible_again_on` counts them); None: no end.
    ends_on: dt.date | None
    via_vendor_id: str | None
    agencies: tuple[str, ...] | None
    categories: tuple[str, ...] | None
    decision: Decision
    # The first day of this bar: the sanction's first day, or one after a gap in it (an
    # extension dated later than the day after its last day): then `resumed`. What tells
    # one bar of a sanction from another where each is a sanction of its own (the exclusions
    # export's importer); not compared, since the sanction and its period say it already.
    bars_from: dt.date | None = field(default=None, compare=False)
    resumed: bool = field(default=False, compare=False)

    @classmethod
    def of(
        cls,
        exposure: Exposure,
        day: dt.date,
        agency: str | None,
        category: str | None,
        *,
        ahead: bool = False,
        bars: bool = True,
    ) -> Reason:
        """The exposure as a reason it bars on `day` (for this agency and category); `ahead`:
        an upcoming one, whose first barring day `day` is (a sanction that bars at this
        agency only from a later change of its scope starts there then, not on its own
        first day, which is past). `bars` False leaves `bars_from` and `resumed` unset: a
        re-screen does not need them, and finding them walks the sanction's changes."""
        sanction = exposure.sanction
        terms = sanction.terms_on(day)
        bars_from = (
            None if not bars else day if ahead else exposure.first_day_of_bar(day, agency, category)
        )
        return cls(
            sanction_id=sanction.sanction_id,
            kind=sanction.kind,
            authority=sanction.authority,
            starts_on=day if ahead else sanction.starts_on,
            ends_on=exposure.last_barring_day(day, agency, category),
            via_vendor_id=exposure.via_vendor_id,
            agencies=terms.agencies,
            categories=terms.categories,
            decision=sanction.decision,
            bars_from=bars_from,
            resumed=bars_from is not None
            and exposure.first_barring_day_after(dt.date.min, agency, category) != bars_from,
        )


@dataclass(frozen=True)
class Eligibility:
    vendor_id: str
    as_of: dt.date
    eligible: bool
    reasons: tuple[Reason, ...]
    eligible_again_on: dt.date | None  # None when eligible, or barred indefinitely
    # Sanctions already recorded that will bar it later, each from the first day it bars
    # after `as_of` (of one barring today, after a gap that follows this bar).
    upcoming: tuple[Reason, ...]

    @property
    def extended_by(self) -> tuple[Reason, ...]:
        """The upcoming bars that keep the vendor barred past the end of `reasons` without a
        free day between, each pushing that end further, in order: with the reasons, what
        makes `eligible_again_on` (the day after the last one's end). A bar that begins
        before the reasons end and ends before them explains nothing, and is not one."""
        if not self.reasons:
            return ()
        ends = [r.ends_on for r in self.reasons]
        if None in ends:
            return ()  # barred without end already
        reach = max(e for e in ends if e is not None)
        extending: list[Reason] = []
        for bar in sorted(self.upcoming, key=lambda r: r.starts_on):
            if bar.starts_on > reach + ONE_DAY:
                break  # a free day: eligible again then
            if bar.ends_on is None or bar.ends_on > reach:
                extending.append(bar)
                if bar.ends_on is None:
                    break
                reach = bar.ends_on
        return tuple(extending)


def barring_reasons(
    exposures: Sequence[Exposure],
    as_of: dt.date,
    agency: str | None = None,
    category: str | None = None,
    *,
    bars_from: bool = True,
) -> tuple[Reason, ...]:
    """The reasons of `evaluate`'s answer alone: what bars the vendor on `as_of`, without
    the day it may bid again or the bars to come, which scan every exposure's breakpoints.
    `bars_from`: as `evaluate`'s `with_bars_from`."""
    return tuple(
        e.reason_on(as_of, agency, category, bars=bars_from)
        for e in exposures
        if e.bars_on(as_of, agency, category)
    )


def evaluate(
    vendor_id: str,
    exposures: Sequence[Exposure],
    as_of: dt.date,
    *,
    agency: str | None = None,
    category: str | None = None,
    with_upcoming: bool = True,
    with_bars_from: bool = True,
) -> Eligibility:
    """`with_upcoming=False` leaves `upcoming` empty (looking for each sanction's first
    barring day after `as_of` is most of a re-screen's cost), for what needs only today's
    answer. `with_bars_from=False` leaves the reasons' `bars_from` and `resumed` unset: what
    is announced does not say them, and finding them walks each sanction's changes."""
    # What ended before `as_of` (or bars nothing) adds no reason, no bar to come and no
    # breakpoint after the reasons' end: left out, an answer costs what can still bar the
    # vendor, not its whole record (a vendor with 1,000 past suspensions: 2.4 times the cost
    # of a sanction event with one).
    exposures = [e for e in exposures if e.can_bar_from(as_of)]
    if not exposures:  # most vendors of a screen: nothing can bar them
        return Eligibility(vendor_id, as_of, True, (), None, ())
    reasons = barring_reasons(
        exposures, as_of, agency, category, bars_from=with_upcoming and with_bars_from
    )
    # Every bar still to begin: one barring today is upcoming too when it bars again after
    # a gap (an extension dated later than the day after its last day), and one may have
    # several: a registry importing the answer's export would otherwise never see those
    # bars. By the day each begins (ties as recorded): an officer reads "what bars this
    # vendor next" from the top, where recorded order put a bar of next October first.
    upcoming = sorted(
        (
            Reason.of(exposure, first, agency, category, ahead=True)
            for exposure in (exposures if with_upcoming else ())
            for first, _ in exposure.bars_later(as_of, agency, category)
        ),
        key=lambda reason: reason.starts_on,
    )
    again = None
    ends = [r.ends_on for r in reasons]
    if reasons and None not in ends:  # one that bars without end leaves no day free
        # Each reason bars every day from `as_of` to its end (whether an exposure bars
        # changes only on its breakpoints), so no day up to the latest end is free: the first
        # free day is the first breakpoint after it on which nothing bars. Looked for from
        # `as_of`, every exposure was asked of every breakpoint between: a vendor with 300
        # sanctions took 100,000 checks an answer (the alerts' judgement of its awards).
        reach = max(end for end in ends if end is not None)
        later = sorted({day for e in exposures for day in e.breakpoints() if day > reach})
        again = next(
            (d for d in later if not any(e.bars_on(d, agency, category) for e in exposures)),
            None,
        )
    return Eligibility(
        vendor_id=vendor_id,
        as_of=as_of,
        eligible=not reasons,
        reasons=reasons,
        eligible_again_on=again,
        upcoming=tuple(upcoming),
    )
