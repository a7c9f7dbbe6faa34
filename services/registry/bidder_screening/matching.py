"""Bidders' names against the barred vendors' names, all in one batch (pure, no I/O).

The candidates come from a `NameIndex` of the barred vendors' names only (its gram filter:
`name_index.py`), so a name is compared with the names that share enough of its character
n-grams, never with every barred name. Every (bidder, candidate name) pair of the whole list
is then scored in two rapidfuzz batch calls (`process.cpdist`, which runs without the GIL):
the compact forms by `fuzz.ratio` and the words by `fuzz.WRatio`, the higher counting, which
is exactly the score `vendors(search:)` gives (`search.score_names`). A vendor whose best name
reaches the threshold is a candidate; each of its names is then scored (a third batch call)
so that the answer can show the score per name.

Thresholds (`Thresholds`): the review threshold, and a higher one when the bidder's and the
vendor's countries are both known and differ (the lists hold distinct firms of one name in
several countries). README gives the precision and recall they have on the labelled pairs of
tests/data/screening/name_pairs.csv.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from services.registry.bidder_screening.model import NameMatch, ScoredName
from services.registry.name_index import NameIndex
from services.registry.names import Normalisation, fold_accents, name_tokens, normalisations
from services.registry.search import NameCandidate, NameKind

_KIND_ORDER = {kind: n for n, kind in enumerate(NameKind)}


@dataclass(frozen=True)
class Thresholds:
    """Configuration (services/platform/settings.py: VENDORWATCH_SCREENING_*_THRESHOLD)."""

    review: float
    other_country: float

    def __post_init__(self) -> None:
        for name, value in (("review", self.review), ("other_country", self.other_country)):
            if not 0.0 < value <= 100.0:
                raise ValueError(f"{name} threshold must be in (0, 100], got {value}")

    def between(self, bidder_country: str | None, vendor_country: str | None) -> float:
        """The score a vendor's name must reach for this bidder."""
        if bidder_country and vendor_country and bidder_country != vendor_country:
            return max(self.review, self.other_country)
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
    queries: Sequence[NameQuery], barred: Sequence[BarredVendor], thresholds: Thresholds
) -> list[list[NameMatch]]:
    """For each query, in order, the barred vendors it may be, best first."""
    if not queries or not barred:
        return [[] for _ in queries]
    index = _index(tuple(_folded(name) for vendor in barred for name in vendor.names))
    countries = {vendor.vendor_id: vendor.country for vendor in barred}
    forms = [_forms(q.name) for q in queries]
    # Pass 1: every query against its candidates from the gram filter, in one batch.
    pairs: list[tuple[int, NameCandidate, str, str]] = []
    for q, (_, compact) in enumerate(forms):
        ids, _ = index.candidates(compact)
        pairs += [(q, candidate, w, c) for candidate, w, c in index.forms(ids)]
    scores = _scores([forms[q] for q, *_ in pairs], [(w, c) for *_, w, c in pairs])
    best: dict[tuple[int, str], float] = {}
    for (q, candidate, _, _), (score, _) in zip(pairs, scores, strict=True):
        key = (q, candidate.vendor_id)
        best[key] = max(best.get(key, 0.0), score)
    kept = sorted(
        key
        for key, score in best.items()
        if score >= thresholds.between(queries[key[0]].country, countries[key[1]])
    )
    # Pass 2: every name of the vendors kept, so that each name's score can be shown.
    names_of = {vendor.vendor_id: vendor.names for vendor in barred}
    rows = [(q, vendor_id, n) for q, vendor_id in kept for n in names_of[vendor_id]]
    scored = _scores([forms[q] for q, _, _ in rows], [_forms(n.name) for _, _, n in rows])
    found: dict[tuple[int, str], list[tuple[NameCandidate, float, bool]]] = {}
    for (q, vendor_id, name), (score, by_words) in zip(rows, scored, strict=True):
        found.setdefault((q, vendor_id), []).append((name, score, by_words))
    answers: list[list[NameMatch]] = [[] for _ in queries]
    for (q, vendor_id), names in found.items():
        answers[q].append(_match(queries[q], vendor_id, countries[vendor_id], names))
    for matches in answers:
        matches.sort(key=lambda m: (-m.score, m.vendor_id))
    return answers


def _match(
    query: NameQuery,
    vendor_id: str,
    country: str | None,
    names: list[tuple[NameCandidate, float, bool]],
) -> NameMatch:
    # Best first; between equal scores the legal name, then the name stored first.
    order = sorted(
        range(len(names)), key=lambda i: (-names[i][1], _KIND_ORDER[names[i][0].kind], i)
    )
    asked = _applied(query.name)
    scored = tuple(
        ScoredName(
            names[i][0].name,
            names[i][0].kind,
            round(names[i][1], 1),
            asked | _applied(names[i][0].name),
        )
        for i in order
    )
    return NameMatch(vendor_id, scored[0].score, scored, country, names[order[0]][2])


def _forms(name: str) -> tuple[str, str]:
    words = name_tokens(fold_accents(name))
    return words, words.replace(" ", "")


def _folded(name: NameCandidate) -> NameCandidate:
    """The name as the index holds it: its accents folded, as the bidders' names are."""
    return NameCandidate(name.vendor_id, name.kind, fold_accents(name.name))


@lru_cache(maxsize=1 << 16)
def _applied(name: str) -> frozenset[Normalisation]:
    folded = fold_accents(name)
    accents = {Normalisation.ACCENTS_FOLDED} if folded != name else set()
    return normalisations(folded) | accents


def _scores(
    queries: Sequence[tuple[str, str]], names: Sequence[tuple[str, str]]
) -> list[tuple[float, bool]]:
    """(score, whether the word comparison gave it) for each aligned (query, name) pair."""
    if not queries:
        return []
    by_order = process.cpdist(
        [c for _, c in queries], [c for _, c in names], scorer=fuzz.ratio, workers=1
    )
    by_words = process.cpdist(
        [w for w, _ in queries], [w for w, _ in names], scorer=fuzz.WRatio, workers=1
    )
    return [
        (float(max(o, w)), float(w) > float(o))
        for o, w in zip(by_order.tolist(), by_words.tolist(), strict=True)
    ]


@lru_cache(maxsize=4)
def _index(names: tuple[NameCandidate, ...]) -> NameIndex:
    """The barred vendors' names, indexed; kept for the next screenings while the barred
    vendors and their names stay the same (building it costs more than a list's matching)."""
    return NameIndex.of(names)
