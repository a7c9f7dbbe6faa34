"""Scoring a vendor again after one more event without recomputing what the event left alone.

A batch scores a vendor after each of its events (for the event's day, and for today), and
most factors read items the event did not touch: a claim settled moves `pending_claims`
only, yet `concentration` and the missing certificates list every contract on the record. The
memo keeps, per vendor, each factor with what it was computed from (the digests of the items
it reads, the day if it depends on the day, the model, and for concentration the totals of
the agencies the vendor holds critical contracts of) and hands back the same Factor object
while those are unchanged, so the factor costs nothing, and serialises once
(repository.py reuses the JSON of a Factor it has seen).

What changed is tested once per state (`_Entry.sync`): the state's field digests against
those of the vendor's last state scored, forgetting the factors of the rules that read a
field that moved. A score is then a look-up per factor (and day), and leaves out the rules
with nothing to count on the record (`FactorRule.counts`).

Reuse is exact: a factor is a pure function of those inputs (scoring.py), and a field's digest
changes with every event folded into it (fold.py). States whose facts on the day need items
folded again (stale items: an out-of-order event, a day in the past) are scored from scratch.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from services.platform.rebuilt_caches import forgotten_after_rebuilds
from services.risk.domain.contract_index import MISSING_KINDS, ContractIndex
from services.risk.domain.facts import ITEM_FIELDS, VendorFacts, VendorState
from services.risk.domain.model import RiskModel, model_fingerprint
from services.risk.domain.risk_score import Factor, RiskScore, total_of
from services.risk.domain.scoring import (
    CRITICAL_CRITICALITIES,
    FACTOR_RULES,
    FactorRule,
    missing_factor,
    missing_points,
)
from services.risk.domain.terms import (
    IncidentTerms,
    SanctionTerms,
    UnapprovedTerms,
    incident_terms,
    sanction_terms,
    unapproved_terms,
)

# The incident rules, and whether each counts the incidents a vendor inherits.
INCIDENT_RULES = {"incidents": False, "inherited_incidents": True}
# The sanction rules, and whether each counts those in force (else those ended lately).
SANCTION_RULES = {"active_sanctions": True, "recent_sanctions": False}

# The rules whose points come from terms kept per vendor (terms.py).
TERMS_RULES = {*INCIDENT_RULES, *SANCTION_RULES, "unapproved_subcontracting"}

# Vendors remembered: a batch touches at most a few hundred; a process keeps the busiest.
VENDORS = 4096
# Days a vendor's factors are remembered for (today's above all, asked after each event).
KNOWN_DAYS = 4

# Each rule's items in a fixed order (a key is built several times per event and vendor).
_READS = {rule.name: tuple(sorted(rule.reads)) for rule in FACTOR_RULES}
# Per field of the record, the rules that read it; the fields some rule counts items of.
_READERS = {
    name: tuple(rule.name for rule in FACTOR_RULES if name in rule.reads)
    for name in ITEM_FIELDS.values()
}
_COUNTED = sorted({name for rule in FACTOR_RULES for name in rule.counts})


@dataclass
class _Entry:
    # With evidence: per rule, its last factor and what it was computed from (the rule's
    # generation, the day if it depends on it, for concentration the agencies' totals).
    factors: dict[str, tuple[Hashable, Factor]] = field(default_factory=dict)
    # Per rule, how many times what it reads changed (`sync`): equal, the same items.
    generations: dict[str, int] = field(default_factory=dict)
    # Points only (`FactorMemo.score` given an index): per rule, its factor on the last days
    # asked (None: a rule that does not depend on the day), for the state digests `seen`
    # under the model `fingerprint`; and the rules that count something on that record.
    days: dict[str, dict[dt.date | None, Factor]] = field(default_factory=dict)
    seen: Mapping[str, str] = field(default_factory=dict)
    fingerprint: str = ""
    counting: tuple[FactorRule, ...] = ()
    agencies: tuple[str, frozenset[str]] = ("", frozenset())  # contracts digest, held agencies
    # Per rule of TERMS_RULES: its terms, with the model and the digests of what it reads.
    terms: dict[str, tuple[Hashable, IncidentTerms | SanctionTerms | UnapprovedTerms]] = field(
        default_factory=dict
    )

    def sync(self, state: VendorState, fingerprint: str) -> None:
        """Forgets the factors of the rules that read what the state changed since the
        last score (one look at each field's digest, once per state), or every factor when
        the model changed."""
        digests = state.digests
        if digests is self.seen and fingerprint == self.fingerprint:
            return  # the same state again: its other day, or its current score
        if fingerprint != self.fingerprint:
            self.days.clear()
            self.factors.clear()
        else:
            seen = self.seen
            for name, readers in _READERS.items():
                if digests.get(name, "") != seen.get(name, ""):
                    for rule in readers:
                        self.days.pop(rule, None)
                        self.generations[rule] = self.generations.get(rule, 0) + 1
        self.counting = _counting(tuple(bool(getattr(state, name)) for name in _COUNTED))
        self.seen, self.fingerprint = digests, fingerprint


@functools.cache
def _counting(present: tuple[bool, ...]) -> tuple[FactorRule, ...]:
    """The rules that count something, given which of the `_COUNTED` fields hold items."""
    held = {name for name, found in zip(_COUNTED, present, strict=True) if found}
    return tuple(rule for rule in FACTOR_RULES if rule.counts & held)


class FactorMemo:
    def __init__(self, vendors: int = VENDORS) -> None:
        self._vendors = vendors
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        # A digest follows the events folded into a field, not what a rebuild made of them
        # (another policy, an edited log replayed): a rebuild's commit clears the memo.
        forgotten_after_rebuilds(self)

    def clear(self) -> None:
        """Forgets every vendor's factors. A new dict, not the old one emptied: a score
        under way (in a worker thread) finishes with the entries it started with."""
        self._entries = OrderedDict()

    def score(
        self,
        state: VendorState,
        facts: VendorFacts,
        as_of: dt.date,
        model: RiskModel,
        totals: Mapping[str, int],
        index: ContractIndex | None = None,
        *,
        evidence: bool = False,
    ) -> RiskScore:
        """`score(facts, as_of, model, totals)`, where `facts` are the state's items as they
        stand (no stale item folded again), reusing what is unchanged.

        Given the state's `index`, the factors that walk a long record are points only,
        without evidence (what a history row and an announcement need; reading the history
        derives the evidence): those over every contract (missing certificates,
        concentration) from the index, the incident and sanction factors without their notes.
        With `evidence` too, every factor has its evidence, the missing certificates' taken
        from the index (the contracts ended, not a walk over every contract).
        """
        entry = self._entry(state.vendor_id)
        fingerprint = model_fingerprint(model)
        entry.sync(state, fingerprint)
        if index is not None and not evidence:
            return self._points(entry, state, facts, as_of, model, totals, index)
        factors = []
        for rule in entry.counting:
            key = self._key(rule, state, facts, as_of, totals, entry, index)
            found = entry.factors.get(rule.name)
            if found is None or found[0] != key:
                kind = MISSING_KINDS.get(rule.name) if index is not None else None
                if index is not None and kind is not None:
                    ended = (facts.contracts[c] for c in index.ended(kind, as_of))
                    factor = missing_factor(rule.name, ended, kind, missing_points(kind, model))
                else:
                    factor = rule.compute(facts, as_of, model, totals)
                if found is not None and found[1] == factor:
                    # What it reads moved, not the factor (a contract not ended yet, for the
                    # missing certificates): the object kept, so that its evidence, maybe
                    # thousands of items, is not encoded and hashed again (factor_storage.py).
                    factor = found[1]
                found = entry.factors[rule.name] = (key, factor)
            factors.append(found[1])
        return total_of(factors, model)

    def _points(
        self,
        entry: _Entry,
        state: VendorState,
        facts: VendorFacts,
        as_of: dt.date,
        model: RiskModel,
        totals: Mapping[str, int],
        index: ContractIndex,
    ) -> RiskScore:
        """The score, points only for the long factors, from what the entry keeps of each
        factor per day: one test per score of what the state changed since the last (its
        digests), then a look-up per factor and day; computed only for a rule whose items
        changed or a day not asked yet. Rules with nothing to count on the record are left
        out (no points whatever the day), concentration is asked every time (the agencies'
        totals move with every vendor's contracts)."""
        factors = []
        for rule in entry.counting:
            if rule.name == "concentration":
                factors.append(_points_factor(rule.name, index.concentration(as_of, model, totals)))
                continue
            days = entry.days.setdefault(rule.name, {})
            day = as_of if rule.daily else None
            found = days.pop(day, None)  # and put back last: the least recent goes first
            if found is None:
                found = _points_only(rule, state, entry, facts, index, as_of, model, totals)
                if found is None:  # a short factor: with its evidence, as scoring gives it
                    found = rule.compute(facts, as_of, model, totals)
                if len(days) >= KNOWN_DAYS:
                    del days[next(iter(days))]
            days[day] = found
            factors.append(found)
        return total_of(factors, model)

    def moved(self, before: VendorState, after: VendorState, item: str, model: RiskModel) -> None:
        """After one event about `item` ("kind:id") moved a vendor's state from `before` to
        `after`: the incident or sanction terms kept for `before` are updated for that one
        item (terms.py), not made again from the whole record at the next score. Terms kept
        for another state are left to be made again (their key no longer matches)."""
        entry = self._entries.get(after.vendor_id)
        kind, _, item_id = item.partition(":")
        if entry is None or kind not in ("incident", "sanction"):
            return
        fingerprint = model_fingerprint(model)
        for rule in INCIDENT_RULES if kind == "incident" else SANCTION_RULES:
            found = entry.terms.get(rule)
            if found is None or found[0] != _terms_key(rule, before, fingerprint):
                continue
            terms = found[1]
            if isinstance(terms, IncidentTerms):
                old, new = before.incidents.get(item_id), after.incidents.get(item_id)
                terms = terms.moved(after.vendor_id, old, new, model)
            elif isinstance(terms, SanctionTerms):
                terms = terms.moved(
                    before.sanctions.get(item_id), after.sanctions.get(item_id), model
                )
            entry.terms[rule] = (_terms_key(rule, after, fingerprint), terms)

    def _key(
        self,
        rule: FactorRule,
        state: VendorState,
        facts: VendorFacts,
        as_of: dt.date,
        totals: Mapping[str, int],
        entry: _Entry,
        index: ContractIndex | None,
    ) -> Hashable:
        key: tuple[Hashable, ...] = (
            entry.generations.get(rule.name, 0),
            as_of if rule.daily else None,
        )
        if rule.name == "concentration":
            agencies = self._held(facts, state, entry, index)
            key += (tuple((agency, totals.get(agency, 0)) for agency in sorted(agencies)),)
        return key

    @staticmethod
    def _held(
        facts: VendorFacts, state: VendorState, entry: _Entry, index: ContractIndex | None
    ) -> frozenset[str]:
        """The agencies of the vendor's critical contracts (their totals bear on its share):
        those with a start day in its contract index, else from a walk over its contracts."""
        digest = state.digests.get("contracts", "")
        if entry.agencies[0] != digest or not digest:
            held = frozenset(
                (agency for agency, starts in index.starts.items() if starts)
                if index is not None
                else (
                    c.agency
                    for c in facts.contracts.values()
                    if c.criticality in CRITICAL_CRITICALITIES
                )
            )
            entry.agencies = (digest, held)
        return entry.agencies[1]

    def _entry(self, vendor_id: str) -> _Entry:
        entries = self._entries  # one dict throughout, whatever `clear` does meanwhile
        entry = entries.get(vendor_id)
        if entry is None:
            entry = entries[vendor_id] = _Entry()
            if len(entries) > self._vendors:
                entries.popitem(last=False)
        else:
            entries.move_to_end(vendor_id)
        return entry


def _points_only(
    rule: FactorRule,
    state: VendorState,
    entry: _Entry,
    facts: VendorFacts,
    index: ContractIndex,
    as_of: dt.date,
    model: RiskModel,
    totals: Mapping[str, int],
) -> Factor | None:
    """The rule's factor, points only, for the rules that list a long record: contracts
    from the index; incidents and sanctions from their terms (terms.py), kept while those
    items and the model stay the same (unapproved subcontracting's too). None for the others."""
    if rule.name in TERMS_RULES:
        key = _terms_key(rule.name, state, model_fingerprint(model))
        found = entry.terms.get(rule.name)
        if found is None or found[0] != key:
            found = entry.terms[rule.name] = (key, _terms(rule.name, state, facts, model))
        return _points_factor(rule.name, found[1].points_on(as_of))
    if rule.name == "concentration":
        return _points_factor(rule.name, index.concentration(as_of, model, totals))
    if (kind := MISSING_KINDS.get(rule.name)) is not None:
        return _points_factor(rule.name, index.missing(kind, as_of, missing_points(kind, model)))
    return None


def _terms_key(rule: str, state: VendorState, fingerprint: str) -> Hashable:
    """What a rule's terms are made from: the model and the digests of the items it reads."""
    return (fingerprint, *[state.digests.get(name, "") for name in _READS[rule]])


# Points only, the same few (rule, points) pairs recur in every score: one object each, not
# a frozen dataclass made for each rule of each score (factors are immutable).
@functools.lru_cache(maxsize=1 << 12)
def _points_factor(name: str, points: float) -> Factor:
    return Factor(name, points, ())


def _terms(
    rule: str, state: VendorState, facts: VendorFacts, model: RiskModel
) -> IncidentTerms | SanctionTerms | UnapprovedTerms:
    if rule in INCIDENT_RULES:
        return incident_terms(facts, model, INCIDENT_RULES[rule])
    if rule in SANCTION_RULES:
        return sanction_terms(state.sanctions, model, SANCTION_RULES[rule])
    return unapproved_terms(facts, model)
