"""Ranking vendor names against a search query (pure, no I/O).

The registry loads the candidate names (legal name, kana reading, English name, former names,
aliases) from PostgreSQL and hands them to `rank`, which scores every one with rapidfuzz over
the normalised forms of `services.registry.domain.names` and keeps the best name of each vendor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process

from services.platform.wording import quoted
from services.registry.domain.names import name_tokens

__all__ = [
    "ACRONYM",
    "LONG_NAME",
    "WHOLE_WORDS",
    "NameCandidate",
    "NameKind",
    "SearchHit",
    "acronym_scores",
    "best_per_vendor",
    "is_acronym",
    "query_forms",
    "rank",
    "score_names",
    "whole_word_scores",
]


class NameKind(StrEnum):
    """Which of a vendor's names a candidate is; the order breaks ties between equal scores."""

    LEGAL = "legal"
    KANA = "kana"
    ENGLISH = "english"
    FORMER = "former"
    ALIAS = "alias"
    IDENTIFIER = "identifier"  # an exact identifier hit (registry queries), never fuzzy
    # One an update replaced (registry queries, storage/former_identifiers.py), never fuzzy.
    FORMER_IDENTIFIER = "former_identifier"
    VENDOR_ID = "vendor_id"  # the vendor's id in the registry, typed exactly (registry queries)


_KIND_ORDER = {kind: n for n, kind in enumerate(NameKind)}

# Names of this many ASCII letters and digits or fewer match only whole (comment below).
ACRONYM = 3

# A name holding the query's words whole, in their order, scores at least WHOLE_WORDS; only
# names LONG_NAME times the query's length or longer need the check (comment below).
WHOLE_WORDS = 90.0
LONG_NAME = 8


@dataclass(frozen=True, slots=True)
class NameCandidate:
    """One name of one vendor, as stored (not normalised); a former name with the last day it
    was used and which of the vendor's names it was, when recorded (registry migration 0024:
    bidder screening names a match as of its day)."""

    vendor_id: str
    kind: NameKind
    name: str
    used_until: dt.date | None = None
    former_of: NameKind | None = None  # LEGAL, KANA or ENGLISH


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A vendor that matched, by its best-matching name; score from 0 to 100."""

    vendor_id: str
    matched_name: str  # one of the vendor's names as recorded; its legal name for IDENTIFIER
    matched_kind: NameKind
    score: float


# Scoring: the maximum of
#
# - `fuzz.ratio` (normalised Indel similarity) over the compact forms, with every space,
#   punctuation mark and designator removed. It catches small typos and one kana or kanji
#   too many or too few, and it is what makes "Bee Info" and "BeeInfo" equal;
# - `fuzz.WRatio` over the same forms with one space kept between words. It is the ratio
#   too, but also compares sorted word sets (missing, extra or reordered English words:
#   "B Information System Japan" → 95) and, when one name is much longer than the other,
#   the best-aligned substring (a part of a Japanese name, which has no spaces: "ビー情報"
#   in "ビー情報システム" → 90). Those partial and word-set scores are scaled down (×0.95,
#   ×0.9, ×0.6 for very different lengths), so they never reach 100.
#
# A name of at most ACRONYM letters and digits, all ASCII ("GRU", "FT", "EC": an acronym or a
# short alias), is compared whole-word only, never by WRatio's partial alignment, in either
# direction: "gru" is in "grupo feder" and "ft" in "venus softwares", and each scored 90, the
# review threshold, so one list's short aliases had made a dozen "possible same as" lines of
# unrelated firms at an import. It still matches an equal name, or a name holding it as a
# word ("GRU" in "GRU Works": 90 as before, `acronym_scores`). Names in other scripts keep the
# partial score: two kanji ("東芝") name a firm, as three Latin letters rarely do.
#
# A name holding the query's words as whole words, in their order, scores at least
# WHOLE_WORDS (90) whatever its length. WRatio scales its partial alignment by 0.6, not 0.9,
# when one name is LONG_NAME (8) or more times the other's length, so "water" scored 60
# against "Water Supply and Sewerage Construction JSC No. 1 (Viwaseen.1)", which begins with
# it, and 72 against "Walter Fernández" and "Rishikesh Waste Management" (a partial alignment
# of another word, ×0.9): a one-word search of the World Bank's list ranked near-misses of
# other words above the names holding the word, and left these out of its first page. 90 is
# what WRatio gives such a name shorter than that (its partial alignment, 100 × 0.9), so the
# length no longer matters once the words are there; shorter names score it already, and only
# the longer ones are checked (`whole_word_scores`). A near-miss of another word stays below
# (its partial alignment is under 100, × 0.9), and an equal name above (100); a name holding
# the query inside a word ("water" in "Waterloo …") is not raised. A Japanese name, written
# without spaces between its words, holds only itself as a word: a part of it keeps WRatio's
# score.
#
# Hence a score of 100 means exactly "equal after normalisation", and a complete name always
# ranks above a name that merely contains the query. Plain `token_set_ratio` was not chosen:
# it gives 100 to any name whose words include the query's, so a search for "information"
# would tie every "… Information …" vendor with an exact match. `partial_ratio` alone has the
# same flaw for Japanese names.


def _validate(query: str, limit: int, min_score: float) -> None:
    if not query.strip():
        raise ValueError(
            "search query is empty: give a vendor name, its kana reading, its English name, "
            "a former name or an alias"
        )
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    if not 0.0 <= min_score <= 100.0:
        raise ValueError(f"min_score must be between 0 and 100, got {min_score}")


def query_forms(query: str, limit: int = 20, min_score: float = 60.0) -> tuple[str, str]:
    """The query's words (one space between them) and its compact form, as names are compared.

    Raises ValueError for a blank query, a bad limit or min_score, or a query with no letter
    or digit left after normalisation (only punctuation, for example).
    """
    _validate(query, limit, min_score)
    query_words = name_tokens(query)
    if not query_words:
        raise ValueError(
            f"search query {quoted(query)} has no letter or digit once punctuation and symbols "
            "are ignored"
        )
    return query_words, query_words.replace(" ", "")


def score_names(
    query_words: str,
    query_compact: str,
    words: Sequence[str],
    compact: Sequence[str],
    min_score: float,
) -> dict[int, float]:
    """Position in `words`/`compact` → score, for the names scoring at least `min_score`.

    Both passes run in rapidfuzz's C++ code over the whole list (tens of thousands of names
    per call); each returns only the names at or above the cut-off.
    """
    scores: dict[int, float] = {}
    for _, score, index in process.extract(
        query_compact, compact, scorer=fuzz.ratio, limit=None, score_cutoff=min_score
    ):
        scores[index] = score
    whole = (
        range(len(words))
        if is_acronym(query_compact)
        else [i for i, name in enumerate(compact) if is_acronym(name)]
    )
    by_words: dict[int, float] = {}
    if len(whole) < len(words):
        for _, score, index in process.extract(
            query_words, words, scorer=fuzz.WRatio, limit=None, score_cutoff=min_score
        ):
            by_words[index] = score
    if whole:
        for index in whole:  # WRatio's partial score, if any, does not count (ACRONYM)
            by_words.pop(index, None)
        scored = acronym_scores([query_words] * len(whole), [words[i] for i in whole])
        by_words.update((i, s) for i, s in zip(whole, scored, strict=True) if s >= min_score)
    if min_score <= WHOLE_WORDS:
        longer = LONG_NAME * len(query_words)
        long = [i for i, name in enumerate(words) if len(name) >= longer]
        held = whole_word_scores([query_words] * len(long), [words[i] for i in long])
        by_words.update((i, s) for i, s in zip(long, held, strict=True) if s > by_words.get(i, 0))
    for index, score in by_words.items():
        if score > scores.get(index, -1.0):
            scores[index] = score
    return scores


def whole_word_scores(query_words: Sequence[str], words: Sequence[str]) -> list[float]:
    """WHOLE_WORDS where the name at a query's position holds the query's words as whole
    words, in their order (at its start, inside or at its end), otherwise 0: for names
    LONG_NAME times the query's length or longer, whose partial alignment WRatio scales down
    to 60 (the scoring comment above `_validate`)."""
    return [
        WHOLE_WORDS if _holds(name, query) else 0.0
        for query, name in zip(query_words, words, strict=True)
    ]


def _holds(long: str, short: str) -> bool:
    """Whether `long`'s words hold `short`'s, whole and in their order (both `name_tokens`)."""
    return f" {short} " in f" {long} "


def is_acronym(compact: str) -> bool:
    """Whether a name's compact form is ACRONYM ASCII letters or digits at most."""
    return len(compact) <= ACRONYM and compact.isascii()


def acronym_scores(query_words: Sequence[str], words: Sequence[str]) -> list[float]:
    """Each query's word score against the name at its position, one of them an acronym
    (`is_acronym`): WRatio where the two are of about one length (it aligns no part of one
    with the other then) or the shorter's words are words of the longer ("GRU" in "GRU
    Works": 90, as before), otherwise their ratio only (no "gru" in "grupo")."""
    return [
        fuzz.WRatio(query, name) if _whole_words(query, name) else fuzz.ratio(query, name)
        for query, name in zip(query_words, words, strict=True)
    ]


def _whole_words(one: str, other: str) -> bool:
    short, long = sorted((one, other), key=len)
    return len(long) < 1.5 * len(short) or _holds(long, short)


def best_per_vendor(
    kept: Sequence[NameCandidate], scores: Mapping[int, float], limit: int
) -> list[SearchHit]:
    """The `limit` best vendors, by the best-scoring of their names (`scores`: position in
    `kept` → score): score desc, then vendor_id; a vendor's tie goes to the earlier kind
    (legal first), then to the name given first."""
    # Per vendor, the smallest (−score, kind order, index).
    best: dict[str, tuple[float, int, int]] = {}
    for index, score in scores.items():
        candidate = kept[index]
        key = (-score, _KIND_ORDER[candidate.kind], index)
        current = best.get(candidate.vendor_id)
        if current is None or key < current:
            best[candidate.vendor_id] = key

    ordered = sorted(best.items(), key=lambda item: (item[1][0], item[0]))[:limit]
    return [
        SearchHit(
            vendor_id=vendor_id,
            matched_name=kept[index].name,
            matched_kind=kept[index].kind,
            score=-negative_score,
        )
        for vendor_id, (negative_score, _, index) in ordered
    ]


def rank(
    query: str,
    candidates: Iterable[NameCandidate],
    *,
    limit: int = 20,
    min_score: float = 60.0,
) -> list[SearchHit]:
    """The vendors whose names match `query`, best first (score desc, then vendor_id).

    Each vendor appears once, with the name that matched it best; names scoring below
    `min_score` are ignored. Raises ValueError for a blank query, or one with no letter or
    digit left after normalisation (only punctuation, for example). Scores every candidate:
    services/registry/name_search/name_index.py answers the same from an index, scoring only some.
    """
    query_words, query_compact = query_forms(query, limit, min_score)

    kept: list[NameCandidate] = []
    words: list[str] = []
    for candidate in candidates:
        candidate_words = name_tokens(candidate.name)
        if candidate_words:  # a name of only punctuation can match nothing
            kept.append(candidate)
            words.append(candidate_words)
    if not kept:
        return []
    compact = [w.replace(" ", "") for w in words]
    scores = score_names(query_words, query_compact, words, compact, min_score)
    return best_per_vendor(kept, scores, limit)
