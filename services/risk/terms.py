"""The incident, sanction and unapproved-subcontracting factors' points on any day from
terms kept per vendor (pure).

A batch scores a vendor after each of its events, for the event's day and for today, and
these factors walk the whole record each time: every incident sorted and weighed, every
sanction's terms derived for the day, a note written for every finding and unanswered
request. What of that does not depend on the day is the same for every score until an event
touches the items the factor reads, so the memo (factor_memo.py) keeps it, as terms, per
vendor while those items' digests and the model stay the same; a score then costs one decay
(one look at a sanction's timeline, one comparison of days) per item, over plain numbers.

Exact: each factor's points are the same products, added in the same order, as `_factor`
totals its items (scoring.py), so the float is the one scoring from scratch gives.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

from services.registry.sanction_timeline import SanctionTimeline
from services.risk.facts import SanctionSource, VendorFacts
from services.risk.fold import last_day_on, timeline_of
from services.risk.model import RiskModel
from services.risk.risk_score import round_points
from services.risk.scoring import counts_as, incident_key, sanction_key, unapproved

# Days whose points a vendor's terms remember.
KNOWN_DAYS = 4

# An incident not closed: closed after every day; a finding: counted from before any.
NEVER = dt.date.max.toordinal() + 1
ALWAYS = 0


@dataclass(frozen=True)
class _Terms:
    # The points of the last days asked (today's above all, asked after each event).
    known: dict[dt.date, float] = field(default_factory=dict, compare=False, kw_only=True)

    def points_on(self, as_of: dt.date) -> float:
        """The factor's contribution on `as_of`."""
        found = self.known.pop(as_of, None)  # and put back last: the least recent goes first
        if found is None:
            found = self._points_on(as_of)
            if len(self.known) >= KNOWN_DAYS:
                del self.known[next(iter(self.known))]
        self.known[as_of] = found
        return found

    def _points_on(self, as_of: dt.date) -> float:
        raise NotImplementedError


@dataclass(frozen=True)
class IncidentTerms(_Terms):
    """The incidents one incident factor counts, in the order it adds them, each with its
    severity × kind × leak."""

    half_life_days: float
    closed_multiplier: float
    inherited_multiplier: float | None  # None: the vendor's own incidents
    # Occurred and closed (never: after every day) as day ordinals, and the base points.
    terms: tuple[tuple[int, int, float], ...]

    def _points_on(self, as_of: dt.date) -> float:
        # One pass over plain numbers: a vendor's history is scored after each of its events.
        # Multiplying by 1.0 (not closed yet, the vendor's own) is exact, so each product is
        # `scoring._incident_items`' to the last bit, and they are added in its order.
        day, half_life = as_of.toordinal(), self.half_life_days
        closed = self.closed_multiplier
        inherited = 1.0 if self.inherited_multiplier is None else self.inherited_multiplier
        return round_points(
            sum(
                [
                    base
                    * 0.5 ** ((day - occurred if day > occurred else 0) / half_life)
                    * (closed if closed_on <= day else 1.0)
                    * inherited
                    for occurred, closed_on, base in self.terms
                ]
            )
        )


def incident_terms(facts: VendorFacts, model: RiskModel, inherited: bool) -> IncidentTerms:
    """The vendor's incidents as one incident factor counts them, for any day."""
    weights = model.incidents
    counted = sorted(
        (
            (
                incident_key(incident),
                incident.occurred_on,
                incident.closed_on,
                weights.severity_points[incident.severity]
                * weights.kind_multiplier[incident.kind]
                * weights.leak_multiplier[incident.leak],
            )
            for incident in facts.incidents.values()
            if counts_as(incident, facts.vendor_id, inherited)
        ),
        key=lambda item: item[0],
    )
    return IncidentTerms(
        weights.half_life_days,
        weights.closed_multiplier,
        model.inherited.multiplier if inherited else None,
        tuple(
            (occurred.toordinal(), NEVER if closed is None else closed.toordinal(), base)
            for _, occurred, closed, base in counted
        ),
    )


@dataclass(frozen=True)
class SanctionTerms(_Terms):
    """The vendor's sanctions in the order a sanction factor adds them, each with its
    timeline and the points it gives when counted: in force on the day (`active`), or ended
    within `recent_days`."""

    active: bool
    recent_days: int
    # Starts, timeline (None: never amended nor lifted), first lift, the timeline's last day
    # when it has no other (the same whatever the day: most sanctions), points.
    terms: tuple[
        tuple[dt.date, SanctionTimeline | None, dt.date | None, dt.date | None, float], ...
    ]

    def _points_on(self, as_of: dt.date) -> float:
        counted = []
        for starts_on, timeline, lifted_on, last, points in self.terms:
            if timeline is not None:
                last = last_day_on(timeline, lifted_on, as_of)
            if self.active:
                if starts_on <= as_of and (last is None or as_of <= last):
                    counted.append(points)
            elif (
                last is not None
                and starts_on <= last < as_of
                and (as_of - last).days <= self.recent_days
            ):
                counted.append(points)
        return round_points(sum(counted))


def sanction_terms(
    sources: Mapping[str, SanctionSource], model: RiskModel, active: bool
) -> SanctionTerms:
    """The vendor's sanctions (as recorded, whatever the day) as one sanction factor counts
    them, for any day."""
    weights = model.sanctions
    table = weights.active_points if active else weights.recent_points
    ordered = sorted(sources.values(), key=sanction_key)
    return SanctionTerms(
        active,
        weights.recent_days,
        tuple((s.starts_on, *_span(s), table[s.kind]) for s in ordered),
    )


# A vendor's sanction terms are made again after each of its sanction events, both factors'
# from every sanction on its record: each version of a sanction is derived once (a source's
# hash is memoised, and the same object is found by identity).
@functools.lru_cache(maxsize=1 << 14)
def _span(
    source: SanctionSource,
) -> tuple[SanctionTimeline | None, dt.date | None, dt.date | None]:
    """Timeline, first lift and last day, as `SanctionTerms.terms` keeps them."""
    timeline, lifted_on = timeline_of(source)
    if len(timeline.terms) == 1 and lifted_on is None:
        return None, None, timeline.terms[0].last_day
    return timeline, lifted_on, None


@dataclass(frozen=True)
class UnapprovedTerms(_Terms):
    """What the unapproved-subcontracting factor counts, in the order it adds them, each
    with its points and the first day it counts (an ordinal; findings: always)."""

    terms: tuple[tuple[int, float], ...]

    def _points_on(self, as_of: dt.date) -> float:
        day = as_of.toordinal()
        return round_points(
            sum([points for counts_from, points in self.terms if counts_from <= day])
        )


def unapproved_terms(facts: VendorFacts, model: RiskModel) -> UnapprovedTerms:
    """The vendor's findings and unanswered subcontract requests, for any day."""
    counted = sorted(unapproved(facts, model), key=lambda item: item[0])
    return UnapprovedTerms(
        tuple(
            (ALWAYS if counts_from is None else counts_from.toordinal(), points)
            for _, points, _, counts_from in counted
        )
    )
