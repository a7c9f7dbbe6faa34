"""Bidders' names against the barred vendors' names (barred on the screening's day or with a
bar recorded to come, service.py), all in one batch (pure, no I/O).

The candidates come from a `NameIndex` of the barred vendors' names only (its gram filter:
`name_index.py`), so a name is compared with the names that share enough of its character
n-grams, never with every barred name; the candidates of every name of the list are counted
at once (`NameIndex.candidates_many`, numpy), and the index and the names' forms are kept
between screenings while the barred vendors stay the same (`_prepared`). Every (bidder,
candidate name) pair of the whole list is then scored in two rapidfuzz batch calls
(`process.cpdist`, which runs without the GIL): the compact forms by `fuzz.ratio`, then the
words by `fuzz.WRatio` where the first falls short, the higher counting, which is exactly the
score `vendors(search:)` gives (`search.score_names`). A vendor whose best name reaches the
threshold is a candidate; each of its names is then scored (two more batch calls) so that the
answer can show the score per name.
A full `cdist` of every name against every barred name would need no index, but `WRatio`
costs about 2 µs a pair (9 s for 1,000 names against the three banks' 4,040): ARCHITECTURE.md,
"Bidder screening".

Thresholds (`Thresholds`): the review threshold, and a higher one when the bidder's and the
vendor's countries are both known and differ (the lists hold distinct firms of one name in
several countries). services/registry/README.md gives the precision and recall they have on
the labelled pairs of tests/data/screening/name_pairs.csv.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from services.registry.bidder_screening.model import NameMatch, ScoredName
from services.registry.domain.names import Normalisation, fold_accents, name_tokens, normalisations
from services.registry.name_search.gram_postings import Ints
from services.registry.name_search.name_index import NameIndex
from services.registry.name_search.search import (
    LONG_NAME,
    NameCandidate,
    NameKind,
    acronym_scores,
    is_acronym,
    whole_word_scores,
)

_KIND_ORDER = {kind: n for n, kind in enumerate(NameKind)}
_NONE: Ints = np.zeros(0, np.int64)


@dataclass(frozen=True)
class Thresholds:
    """Configuration (services/platform/settings.py: VENDORWATCH_SCREENING_*_THRESHOLD)."""

    review: float
    other_country: float

    def __post_init__(self) -> None:
        for name, value in (("review", self.review), ("other_country", self.other_country)):
            if not 0.0 < value <= 100.0:
                raise ValueError(f"{name} threshold must be in (0, 100], got {value}")

    @property
    def abroad(self) -> float:
        """The score needed when both countries are known and differ."""
        return max(self.review, self.other_country)

    def between(self, bidder_country: str | None, vendor_country: str | None) -> float:
        """The score a vendor's name must reach for this bidder."""
        if bidder_country and vendor_country and bidder_country != vendor_country:
            return self.abroad
        return self.review


@dataclass(frozen=True)
class NameQuery:
    """A bidder's name (as written) and country, to match."""

    name: str
    country: str | None


@dataclass(frozen=True)
class BarredVendor:
    vendor_id: str
    country: str | None
    names: tuple[NameCandidate, ...]  # as the name index holds them, legal name first


def match_all(
    queries: Sequence[NameQuery],
    barred: Sequence[BarredVendor],
    thresholds: Thresholds,
    as_of: dt.date | None = None,
) -> list[list[NameMatch]]:
    """For each query, in order, the barred vendors it may be, best first; each name of
    theirs of the kind it was on `as_of` (`kinds_on`; None: as recorded)."""
    if not queries or not barred:
        return [[] for _ in queries]
    known = _prepared(tuple(barred))
    forms = [_forms(q.name) for q in queries]
    # Object arrays: rapidfuzz reads them as sequences, numpy picks the pairs' strings in C.
    words = np.array([w for w, _ in forms], dtype=object)
    compact = np.array([c for _, c in forms], dtype=object)
    acronym = _acronyms(compact)
    lengths = _lengths(words)
    asked, vendors = _kept(
        known, words, lengths, compact, acronym, [q.country for q in queries], thresholds
    )
    answers: list[list[NameMatch]] = [[] for _ in queries]
    if not len(asked):
        return answers
    # Pass 2: every name of the vendors kept, so that each name's score can be shown: the
    # kept pairs' names are consecutive runs of the flat list of every barred name.
    counts = known.first_name[vendors + 1] - known.first_name[vendors]
    ends = np.cumsum(counts)
    names = np.repeat(known.first_name[vendors] - (ends - counts), counts)
    names += np.arange(int(ends[-1]), dtype=np.int64)
    rows = np.repeat(asked, counts)
    by_order = process.cpdist(compact[rows], known.all_compact[names], scorer=fuzz.ratio, workers=1)
    whole = acronym[rows] | known.all_acronym[names]
    long = known.all_lengths[names] >= LONG_NAME * lengths[rows]
    by_words = _by_words(words[rows], known.all_words[names], whole, long, 0.0)
    scores = np.maximum(by_order, by_words).tolist()
    won_by_words = (by_words > by_order).tolist()
    start = 0
    for q, v, end in zip(asked.tolist(), vendors.tolist(), ends.tolist(), strict=True):
        vendor = barred[v]
        scored = [
            (name, scores[start + n], won_by_words[start + n])
            for n, name in enumerate(vendor.names)
        ]
        kinds = kinds_on(vendor.names, as_of)
        answers[q].append(_match(queries[q], vendor.vendor_id, vendor.country, scored, kinds))
        start = end
    for matches in answers:
        matches.sort(key=lambda m: (-m.score, m.vendor_id))
    return answers


def _kept(
    known: _Barred,
    words: npt.NDArray[np.object_],
    lengths: Ints,
    compact: npt.NDArray[np.object_],
    acronym: npt.NDArray[np.bool_],
    countries: Sequence[str | None],
    thresholds: Thresholds,
) -> tuple[Ints, Ints]:
    """Pass 1: the (query, vendor position) pairs whose best name reaches the pair's
    threshold, every query against its candidates from the gram filter, in one batch: the
    candidates of all queries counted at once (`NameIndex.candidates_many`), the pairs
    scored in two rapidfuzz calls with the review threshold as cut-off (a pair below it is
    kept by no threshold), the thresholds applied by array comparisons."""
    candidates = known.index.candidates_many(compact.tolist())
    per_query = np.fromiter((len(ids) for ids, _ in candidates), np.int64, len(candidates))
    names = np.fromiter((i for ids, _ in candidates for i in ids), np.int64, int(per_query.sum()))
    if not len(names):
        return _NONE, _NONE
    asked = np.repeat(np.arange(len(compact), dtype=np.int64), per_query)
    vendors = known.vendor_of[names]
    # The other-country threshold where both countries are known and differ (code 0:
    # unknown; -1: a country no barred vendor has).
    theirs = np.fromiter(
        (known.country_codes.get(c, -1) if c else 0 for c in countries), np.int64, len(compact)
    )[asked]
    ours = known.country_of[vendors]
    differ = (theirs != 0) & (ours != 0) & (theirs != ours)
    needed = np.where(differ, thresholds.abroad, thresholds.review)
    # The higher score counts: the words are scored only where the compact forms fall short.
    # Scores compared in float64, as their Python floats compare with the thresholds.
    cut = thresholds.review
    by_order = process.cpdist(
        compact[asked], known.compact[names], scorer=fuzz.ratio, score_cutoff=cut, workers=1
    )
    reached = by_order.astype(np.float64) >= needed
    short = np.flatnonzero(~reached)
    whole = acronym[asked[short]] | known.acronym[names[short]]
    long = known.lengths[names[short]] >= LONG_NAME * lengths[asked[short]]
    by_words = _by_words(words[asked[short]], known.words[names[short]], whole, long, cut)
    reached[short] = by_words.astype(np.float64) >= needed[short]
    width = len(known.country_of)
    asked_kept, vendors_kept = np.divmod(
        np.unique(asked[reached] * width + vendors[reached]), width
    )
    return asked_kept, vendors_kept


def _by_words(
    queries: npt.NDArray[np.object_],
    names: npt.NDArray[np.object_],
    whole: npt.NDArray[np.bool_],
    long: npt.NDArray[np.bool_],
    cut: float,
) -> npt.NDArray[np.float32]:
    """Each pair's words scored by WRatio, or whole-word only where either side is an
    acronym (`whole`), and at least `search.WHOLE_WORDS` where a name LONG_NAME times its
    query's length or longer (`long`) holds the query's words, as `search.score_names`
    scores them; below `cut`: 0."""
    scores: npt.NDArray[np.float32] = process.cpdist(
        queries, names, scorer=fuzz.WRatio, score_cutoff=cut, workers=1
    )
    if whole.any():
        acronyms = np.array(acronym_scores(queries[whole].tolist(), names[whole].tolist()))
        scores[whole] = np.where(acronyms >= cut, acronyms, 0.0)
    if long.any():
        held = np.array(whole_word_scores(queries[long].tolist(), names[long].tolist()))
        scores[long] = np.maximum(scores[long], np.where(held >= cut, held, 0.0))
    return scores


def _lengths(words: npt.NDArray[np.object_]) -> Ints:
    """The length of each name's words, as WRatio compares them (LONG_NAME)."""
    return np.fromiter((len(w) for w in words.tolist()), np.int64, len(words))


def _acronyms(compact: npt.NDArray[np.object_]) -> npt.NDArray[np.bool_]:
    """Which of these compact forms are acronyms (`search.is_acronym`)."""
    return np.fromiter((is_acronym(c) for c in compact.tolist()), np.bool_, len(compact))


def _match(
    query: NameQuery,
    vendor_id: str,
    country: str | None,
    names: list[tuple[NameCandidate, float, bool]],
    kinds: Sequence[NameKind],
) -> NameMatch:
    # Best first; between equal scores the legal name (on the day), then the name stored first.
    order = sorted(range(len(names)), key=lambda i: (-names[i][1], _KIND_ORDER[kinds[i]], i))
    asked = _applied(query.name)
    scored = tuple(
        ScoredName(
            names[i][0].name,
            kinds[i],
            round(names[i][1], 1),
            asked | _applied(names[i][0].name),
        )
        for i in order
    )
    return NameMatch(vendor_id, scored[0].score, scored, country, names[order[0]][2])


def kinds_on(names: Sequence[NameCandidate], day: dt.date | None) -> list[NameKind]:
    """Each of a vendor's names' kind on `day` (`names` in the order recorded, as the name
    index holds them). A former name was still in use on the days up to its last
    (`used_until`): of the vendor's former names last used on `day` or after, those with the
    earliest such day were its names that day, each the kind it was (`former_of`), where
    recorded (registry migration 0024); of one kind, only the first recorded. A rename on the
    day of the last one corrects it: the names it replaces were adopted that day and given up
    the same day, yet are listed as used until the day before, as the ones the first rename
    replaced (recorded before them); they were never in use, so they stay former names. Any
    other name keeps its kind: a former name with no last day (an update's), or one given up
    before `day`, or after the names in use then (a name adopted later is no name the vendor
    had yet; "former" says it is not current). None: every name as recorded."""
    recorded = [n.kind for n in names]
    if day is None:
        return recorded
    ends = [
        n.used_until
        for n in names
        if n.kind is NameKind.FORMER and n.used_until is not None and n.used_until >= day
    ]
    if not ends:
        return recorded
    in_use = min(ends)
    kinds, taken = recorded, set[NameKind]()
    for i, n in enumerate(names):
        was = n.former_of
        if n.kind is NameKind.FORMER and n.used_until == in_use and was and was not in taken:
            kinds[i] = was
            taken.add(was)
    return kinds


def _forms(name: str) -> tuple[str, str]:
    words = name_tokens(fold_accents(name))
    return words, words.replace(" ", "")


def _folded(name: NameCandidate) -> NameCandidate:
    """The name as the index holds it: its accents folded, as the bidders' names are."""
    return replace(name, name=fold_accents(name.name))


@lru_cache(maxsize=1 << 16)
def _applied(name: str) -> frozenset[Normalisation]:
    folded = fold_accents(name)
    accents = {Normalisation.ACCENTS_FOLDED} if folded != name else set()
    return normalisations(folded) | accents


@dataclass(frozen=True)
class _Barred:
    """The barred vendors' names as matched, kept between screenings (`_prepared`): their
    index, each indexed name's vendor (a position in the list given), words, their length and
    compact form (object arrays: rapidfuzz reads them as sequences, numpy picks the pairs' in
    C), the
    countries' codes and each vendor's (0: unknown), and every name of every vendor in a flat
    list (vendor v's from `first_name[v]` to `first_name[v + 1]`: for the per-name scores,
    names without a letter included, as they are shown too)."""

    index: NameIndex
    vendor_of: Ints
    words: npt.NDArray[np.object_]
    lengths: Ints
    compact: npt.NDArray[np.object_]
    acronym: npt.NDArray[np.bool_]
    country_codes: Mapping[str, int]
    country_of: Ints
    first_name: Ints
    all_words: npt.NDArray[np.object_]
    all_lengths: Ints
    all_compact: npt.NDArray[np.object_]
    all_acronym: npt.NDArray[np.bool_]


@lru_cache(maxsize=4)
def _prepared(barred: tuple[BarredVendor, ...]) -> _Barred:
    """The barred vendors' names, indexed; kept for the next screenings while the barred
    vendors, their countries and names stay the same (building it costs about a second for
    the three banks' lists). A fresh index numbers its names 0, 1, … in the order given (none
    removed). Never changed once built, so screenings in both worker threads may read it at
    once (`NameIndex` is not safe to change while read)."""
    index = NameIndex.of(_folded(name) for vendor in barred for name in vendor.names)
    position = {vendor.vendor_id: v for v, vendor in enumerate(barred)}
    indexed = index.forms(range(len(index)))
    codes = {c: n for n, c in enumerate(sorted({v.country for v in barred if v.country}), 1)}
    every = [_forms(name.name) for vendor in barred for name in vendor.names]
    words = np.array([w for _, w, _ in indexed], dtype=object)
    compact = np.array([c for _, _, c in indexed], dtype=object)
    all_words = np.array([w for w, _ in every], dtype=object)
    all_compact = np.array([c for _, c in every], dtype=object)
    return _Barred(
        index,
        np.fromiter((position[c.vendor_id] for c, _, _ in indexed), np.int64, len(indexed)),
        words,
        _lengths(words),
        compact,
        _acronyms(compact),
        codes,
        np.fromiter((codes.get(v.country or "", 0) for v in barred), np.int64, len(barred)),
        np.cumsum([0, *(len(vendor.names) for vendor in barred)], dtype=np.int64),
        all_words,
        _lengths(all_words),
        all_compact,
        _acronyms(all_compact),
    )
