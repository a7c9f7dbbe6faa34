"""The incident, sanction and unapproved-subcontracting factors' points on any day from
terms kept per vendor (pure).

A batch scores a vendor after each of its events, for the event's day and for today, and
these factors walk the whole record each time: every incident sorted and weighed, every
sanction's terms derived for the day, a note written for every finding and unanswered
request. What of that does not depend on the day is the same for every score until an event
touches the items the factor reads, so the memo (factor_memo.py) keeps it, as terms, per
vendor while those items' digests and the model stay the same; a score then costs one decay
(a look-up by age in days) or one look at a sanction's timeline, one comparison of days, per
item, over plain numbers. An
event changes one incident or sanction: its terms are updated for that item alone (`moved`:
its term out, the new one in at its place), not sorted and weighed again from the record.

Exact: each factor's points are the same products, added in the same order, as `_factor`
totals its items (scoring.py), so the float is the one scoring from scratch gives.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from services.registry.domain.sanction_timeline import SanctionTimeline
from services.risk.domain.facts import IncidentFact, SanctionSource, VendorFacts
from services.risk.domain.incident_factors import counts_as, decay_table, incident_key
from services.risk.domain.model import RiskModel
from services.risk.domain.risk_score import round_points
from services.risk.domain.sanction_factors import sanction_key
from services.risk.domain.sanction_facts import last_day_on, timeline_of
from services.risk.domain.scoring import unapproved

# An incident not closed: closed after every day; a finding: counted from before any.
NEVER = dt.date.max.toordinal() + 1
ALWAYS = 0


@dataclass(frozen=True)
class _Terms:
    def points_on(self, as_of: dt.date) -> float:
        """The factor's contribution on `as_of`."""
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
    keys: tuple[tuple[dt.date, str], ...]  # each term's place (`incident_factors.incident_key`)

    def points_on(self, as_of: dt.date) -> float:
        # One pass over plain numbers: a vendor's history is scored after each of its events.
        # Multiplying by 1.0 (not closed yet, the vendor's own) is exact, so each product is
        # `incident_factors.incident_items`' to the last bit, and they are added in its order;
        # each decay is the table's, as there (a look-up, not a power per incident and day).
        day, decay = as_of.toordinal(), decay_table(self.half_life_days)
        closed = self.closed_multiplier
        inherited = 1.0 if self.inherited_multiplier is None else self.inherited_multiplier
        return round_points(
            sum(
                [
                    base
                    * decay[day - occurred if day > occurred else 0]
                    * (closed if closed_on <= day else 1.0)
                    * inherited
                    for occurred, closed_on, base in self.terms
                ]
            )
        )

    def moved(
        self,
        vendor_id: str,
        before: IncidentFact | None,
        after: IncidentFact | None,
        model: RiskModel,
    ) -> IncidentTerms:
        """The terms after one event changed one incident (`before` → `after`, None: absent):
        its term taken out and put in again at its place, as `incident_terms` would make
        them, without sorting and weighing the vendor's other incidents again."""
        inherited = self.inherited_multiplier is not None
        keys, terms = _replaced(
            self.keys,
            self.terms,
            None if before is None else _counted(before, vendor_id, inherited, model),
            None if after is None else _counted(after, vendor_id, inherited, model),
        )
        return IncidentTerms(
            self.half_life_days, self.closed_multiplier, self.inherited_multiplier, terms, keys
        )


def _counted(
    incident: IncidentFact, vendor_id: str, inherited: bool, model: RiskModel
) -> tuple[tuple[dt.date, str], tuple[int, int, float]] | None:
    """The incident's place and term in one incident factor's terms (None: not counted)."""
    if not counts_as(incident, vendor_id, inherited):
        return None
    weights, closed = model.incidents, incident.closed_on
    base = (
        weights.severity_points[incident.severity]
        * weights.kind_multiplier[incident.kind]
        * weights.leak_multiplier[incident.leak]
    )
    term = (incident.occurred_on.toordinal(), NEVER if closed is None else closed.toordinal(), base)
    return incident_key(incident), term


def incident_terms(facts: VendorFacts, model: RiskModel, inherited: bool) -> IncidentTerms:
    """The vendor's incidents as one incident factor counts them, for any day."""
    counted = sorted(
        (
            found
            for incident in facts.incidents.values()
            if (found := _counted(incident, facts.vendor_id, inherited, model)) is not None
        ),
        key=lambda found: found[0],
    )
    weights = model.incidents
    return IncidentTerms(
        weights.half_life_days,
        weights.closed_multiplier,
        model.inherited.multiplier if inherited else None,
        tuple(term for _, term in counted),
        tuple(key for key, _ in counted),
    )


K = TypeVar("K", bound=tuple[dt.date, str])
T = TypeVar("T")


def _replaced(
    keys: tuple[K, ...],
    terms: tuple[T, ...],
    old: tuple[K, T] | None,
    new: tuple[K, T] | None,
) -> tuple[tuple[K, ...], tuple[T, ...]]:
    """Sorted terms (and their keys, unique: an item's day and id) with one item's old term
    taken out and its new one inserted at its place: the order sorting them all gives."""
    if old is not None:
        at = bisect.bisect_left(keys, old[0])  # present: put in with this key
        keys, terms = keys[:at] + keys[at + 1 :], terms[:at] + terms[at + 1 :]
    if new is not None:
        at = bisect.bisect_left(keys, new[0])
        keys, terms = (*keys[:at], new[0], *keys[at:]), (*terms[:at], new[1], *terms[at:])
    return keys, terms


# A sanction's term: see `SanctionTerms.terms`.
_SanctionTerm = tuple[dt.date, SanctionTimeline | None, dt.date | None, dt.date | None, float]


@dataclass(frozen=True)
class SanctionTerms(_Terms):
    """The vendor's sanctions in the order a sanction factor adds them, each with its
    timeline and the points it gives when counted: in force on the day (`active`), or ended
    within `recent_days`."""

    active: bool
    recent_days: int
    # Starts, timeline (None: never amended nor lifted), first lift, the timeline's last day
    # when it has no other (the same whatever the day: most sanctions), points.
    terms: tuple[_SanctionTerm, ...]
    keys: tuple[tuple[dt.date, str], ...]  # each term's place (`sanction_factors.sanction_key`)

    def points_on(self, as_of: dt.date) -> float:
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

    def moved(
        self, before: SanctionSource | None, after: SanctionSource | None, model: RiskModel
    ) -> SanctionTerms:
        """The terms after one event changed one sanction (`before` → `after`, None: absent),
        as `sanction_terms` would make them, the vendor's other sanctions left as they are."""
        keys, terms = _replaced(
            self.keys,
            self.terms,
            None if before is None else _sanction_term(before, model, self.active),
            None if after is None else _sanction_term(after, model, self.active),
        )
        return SanctionTerms(self.active, self.recent_days, terms, keys)


def _sanction_term(
    source: SanctionSource, model: RiskModel, active: bool
) -> tuple[tuple[dt.date, str], _SanctionTerm]:
    """The sanction's place and term in one sanction factor's terms."""
    weights = model.sanctions
    table = weights.active_points if active else weights.recent_points
    return sanction_key(source), (source.starts_on, *_span(source), table[source.kind])


def sanction_terms(
    sources: Mapping[str, SanctionSource], model: RiskModel, active: bool
) -> SanctionTerms:
    """The vendor's sanctions (as recorded, whatever the day) as one sanction factor counts
    them, for any day."""
    counted = sorted(
        (_sanction_term(source, model, active) for source in sources.values()),
        key=lambda found: found[0],
    )
    return SanctionTerms(
        active,
        model.sanctions.recent_days,
        tuple(term for _, term in counted),
        tuple(key for key, _ in counted),
    )


# Both sanction factors' terms take each sanction's span, made from the whole record when the
# memo has none and for the changed sanction after an event: each version of a sanction is
# derived once (a source's hash is memoised, and the same object is found by identity).
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

    def points_on(self, as_of: dt.date) -> float:
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
