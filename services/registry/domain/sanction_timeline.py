"""A sanction through time: what it said from each effective date on (pure).

A sanction is imposed with terms (period, scope, affiliate coverage); amendments and an early
lift each take effect from their own date. The terms in force on a day are those of the latest
change effective on or before it, so a question about a past day gets the answer that was true
that day. Which changes are *known* (`knownAt`) is decided before a timeline is built: the
caller passes only the changes recorded by then.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from services.events.sanction import PERIOD_FIELDS, SanctionKind
from services.registry.domain.periods import ONE_DAY, sanction_last_day


@dataclass(frozen=True)
class Terms:
    """What the sanction says from `effective_on` until the next change takes effect."""

    effective_on: dt.date
    last_day: dt.date | None  # None: indefinite
    agencies: tuple[str, ...] | None  # None: every agency
    categories: tuple[str, ...] | None  # None: every procurement category
    covers_affiliates: bool
    lifted: bool = False


@dataclass(frozen=True)
class Change:
    """An amendment or a lift, as recorded: `fields` are the payload's `changes()`."""

    effective_on: dt.date
    lifted: bool
    fields: dict[str, Any]


@dataclass(frozen=True)
class Decision:
    """Why the sanction was imposed, as recorded; it does not change with amendments."""

    grounds: tuple[str, ...] = ()
    incident_ids: tuple[str, ...] = ()
    reason: str | None = None


@dataclass(frozen=True)
class SanctionTimeline:
    sanction_id: str
    vendor_id: str
    kind: SanctionKind
    authority: str
    decided_on: dt.date
    starts_on: dt.date
    terms: tuple[Terms, ...]  # ordered by effective_on; the first is the imposition's
    decision: Decision = Decision()

    def terms_on(self, day: dt.date) -> Terms:
        return terms_on(self.terms, day)

    def terms_in_force(self, day: dt.date) -> Terms | None:
        """The terms in force on `day`, or None when the sanction does not apply that day."""
        if day < self.starts_on:
            return None
        terms = self.terms_on(day)
        if terms.lifted or (terms.last_day is not None and day > terms.last_day):
            return None
        return terms

    def in_force_on(self, day: dt.date) -> bool:
        return self.terms_in_force(day) is not None

    def applies_on_or_after(self, day: dt.date) -> bool:
        """Whether it applies on `day` or on any day after it (`final_day`): one that ended
        before can bar neither then nor later, whatever is asked of it."""
        return self.final_day is None or self.final_day >= day

    @functools.cached_property
    def final_day(self) -> dt.date | None:
        """The last day it applies, every change counted, as eligibility counts them: a new
        period that ends before the amendment giving it takes effect ends it the day before
        that; an extension after a gap, at the gap's far end. None: it applies from some day
        on without end. A sanction that never applies (lifted before its start) ends the day
        before its lift."""
        days = self.breakpoints
        for i in range(len(days) - 1, -1, -1):
            if self.in_force_on(days[i]):
                return days[i + 1] - ONE_DAY if i + 1 < len(days) else None
        lifted_on = next((t.effective_on for t in self.terms if t.lifted), None)
        return None if lifted_on is None else lifted_on - ONE_DAY

    @functools.cached_property
    def barred_periods(self) -> tuple[tuple[dt.date, dt.date | None], ...]:
        """The stretches of days it applies, in order, each (first day, last day; None: from
        then on without end): one for most, two or more for a sanction extended after a gap
        (barred to 01-31, again from 02-10), where `final_day` is the last one's end."""
        periods: list[tuple[dt.date, dt.date | None]] = []
        first: dt.date | None = None
        for start in self.breakpoints:
            if self.in_force_on(start):
                first = start if first is None else first
            elif first is not None:
                periods.append((first, start - ONE_DAY))
                first = None
        if first is not None:
            periods.append((first, None))
        return tuple(periods)

    @functools.cached_property
    def breakpoints(self) -> tuple[dt.date, ...]:
        """The days on which whether (or how) it applies can change, in order. Worked out once:
        a screen asks it of one timeline for the vendor and for each of its affiliates."""
        days = {self.starts_on}
        for terms in self.terms:
            days.add(terms.effective_on)
            if terms.last_day is not None:
                days.add(terms.last_day + ONE_DAY)
        return tuple(sorted(days))


def terms_on(terms: Sequence[Terms], day: dt.date) -> Terms:
    """Of `terms` (ordered by effective_on, the first the imposition's), those of `day`: the
    latest effective on or before it (the imposition's before any)."""
    current = terms[0]
    for later in terms[1:]:
        if later.effective_on > day:
            break
        current = later
    return current


def imposed_terms(imposed: dict[str, Any], starts_on: dt.date) -> Terms:
    """The terms an imposition gives (`imposed`: its period, scope and coverage fields)."""
    return Terms(
        effective_on=dt.date.min,
        last_day=_period_last_day(starts_on, imposed),
        agencies=_scope(imposed.get("agencies")),
        categories=_scope(imposed.get("categories")),
        covers_affiliates=bool(imposed.get("covers_affiliates", False)),
    )


def fold(first: Terms, changes: Iterable[Change], starts_on: dt.date) -> tuple[Terms, ...]:
    """The terms from `first` (the imposition's) as `changes` make them, in effective order
    (those of one day in the order given: the last given is the last applied)."""
    terms = [first]
    for change in sorted(changes, key=lambda c: c.effective_on):
        terms.append(_apply(terms[-1], change, starts_on))
    return tuple(terms)


def _period_last_day(starts_on: dt.date, fields: dict[str, Any]) -> dt.date | None:
    return sanction_last_day(
        starts_on,
        duration_months=fields.get("duration_months"),
        duration_days=fields.get("duration_days"),
        ends_on=fields.get("ends_on"),
    )


def build(
    *,
    sanction_id: str,
    vendor_id: str,
    kind: SanctionKind,
    authority: str,
    decided_on: dt.date,
    starts_on: dt.date,
    imposed: dict[str, Any],
    changes: Iterable[Change] = (),
    decision: Decision = Decision(),
) -> SanctionTimeline:
    """Folds the imposition (`imposed`: its period, scope and coverage fields) and the known
    changes, in effective order, into a timeline."""
    terms = fold(imposed_terms(imposed, starts_on), changes, starts_on)
    return SanctionTimeline(
        sanction_id, vendor_id, kind, authority, decided_on, starts_on, terms, decision
    )


def _scope(values: Sequence[str] | None) -> tuple[str, ...] | None:
    return tuple(values) if values is not None else None


def _apply(previous: Terms, change: Change, starts_on: dt.date) -> Terms:
    terms = replace(previous, effective_on=change.effective_on)
    if change.lifted:
        return replace(terms, lifted=True)
    fields = change.fields
    if any(name in fields for name in PERIOD_FIELDS):
        # A new period replaces the old one and counts from the sanction's start.
        terms = replace(terms, last_day=_period_last_day(starts_on, fields))
    if "agencies" in fields:
        terms = replace(terms, agencies=_scope(fields["agencies"]))
    if "categories" in fields:
        terms = replace(terms, categories=_scope(fields["categories"]))
    if "covers_affiliates" in fields:
        terms = replace(terms, covers_affiliates=bool(fields["covers_affiliates"]))
    return terms
