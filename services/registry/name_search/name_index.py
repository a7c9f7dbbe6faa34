"""Vendor names indexed by character n-grams, searched without scoring them all (pure, no I/O).

`search.rank` scores every name of every vendor with rapidfuzz, so its cost grows with the
registry. This index scores only the names sharing at least T of the query's grams, with the
very same scorers and tie-breaking (`search.score_names`, `search.best_per_vendor`): a name
it scores gets exactly the score `rank` gives it, and among the names scored the order is
`rank`'s. The grams are substrings of the compact form (`names.normalize_name`): trigrams
for a query of TRIGRAMS_FROM characters or more, bigrams for a shorter one; a query of m
characters has g = m−1 bigrams or m−2 trigrams.

The bar T starts at a third of the query's grams, ⌈g/3⌉, and is raised in two cases, both to
keep a search's cost bounded: above the number of the query's *frequent* grams (those in more
than FREQUENT names, whose posting lists are not read), and, when more than BUDGET names
reach it, to one above what the first name left out shares: the names sharing the most are
kept by whole levels (names sharing as many grams) while they fit in BUDGET, then from the
next level the CLOSEST nearest the query's length (a typo rather than a longer or shorter
name; names as near by vendor id, then name, so that the cut does not depend on the order the
names were added). `candidates` returns the bar used: every name sharing that many grams is
scored. A name with half its own grams in the query is scored too (a name that is one word of
a longer query: "B System" for "B Information System").

What can be missed: only names sharing fewer than T grams (and not half their own). Their
compact `fuzz.ratio` is bounded: a longest common subsequence of L characters in R runs holds
at least L−(q−1)·R aligned q-grams, and R−1 ≤ m+n−2L (the characters left unmatched; n is
the name's length), so it is at most 200·(m+n+T)/(3·(m+n)) by bigrams (below 78 with the
starting bar when n ≥ m) and 200·(T−1+2·(m+n+1))/(5·(m+n)) by trigrams (about 87). In
practice that is matches made of scattered characters or of one short word in common
(WRatio's word-set score rates "Zsceom 技技" 85.5 against "Lzhi 技技ル"), a name that is a
small part of a much longer query, and, once the bar is raised, two- or three-typo variants
of a query made mostly of frequent grams. A name containing the whole query always shares all
its grams. Queries of one character have no gram: every name is scored, as by `rank`.

Cost: the posting lists of the query's grams but the frequent ones, copied into one array
and counted by a sort (`gram_postings.shared_grams`), a frequent gram's mask of names (built
on first use after a change) read for the names counted, never its list, and rapidfuzz over
the (about BUDGET at most) names reaching the bar. The names counted are those in the rarer
grams' lists, at most FREQUENT a gram but for the rarest: a query ending in a reading a
quarter of the names end in has a gram spanning the reading's start in about 1,100 names
at 200,000 names, and counting those in Python had been most of such a search's time; past
FREQUENT, that gram only filters.

`candidates_many` gives a list of queries the same candidates, counted by numpy over copies
of the posting lists (`gram_postings.py`) into one array over every name: tens of
microseconds a query against a few thousand names (the barred vendors' in bidder screening).

Not thread-safe: the caller serialises changes and searches (name_index_feed.py does).
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.registry.domain.names import name_tokens
from services.registry.name_search.gram_postings import GramPostings, Ints, shared_grams
from services.registry.name_search.search import (
    NameCandidate,
    SearchHit,
    best_per_vendor,
    query_forms,
    score_names,
)

__all__ = ["NameIndex"]

# A name must share this fraction of the query's grams to be scored (module docstring).
SHARE = 1 / 3

# Queries of this many characters or more are matched by trigrams: their lists are about 30
# times shorter than bigrams' (fewer names share one by chance), which keeps a search's cost
# nearly flat as the registry grows; shorter queries have too few trigrams to tell names apart.
TRIGRAMS_FROM = 8
# A gram in more names than this is not read from its posting list but tested for in the
# names found through rarer ones; a name with only such grams must then share more. The
# lists read, up to this long, are what grows with the registry: at 2,000 the slowest
# queries' p99 was 1.7-2.1x at 50,000 vendors what it was at 5,000 (0.67 ms), at 1,000 it
# is 0.7-0.8x (0.27-0.31 ms), the same first hit for the same 28 of 30 typo queries.
FREQUENT = 1000
# When more names than this share enough grams, fewer are scored (module docstring):
# scoring is the costly part. Of the level cut, the CLOSEST nearest in length are kept.
BUDGET = 400
CLOSEST = 100

_NO_IDS: array[int] = array("q")  # a gram no name holds

# Names scored per rapidfuzz call: a few milliseconds of holding the GIL.
_SCORED_AT_ONCE = 1000

# Removed names are left in the posting lists (skipped when found) until they outnumber
# both this and the live ones; then the lists are rebuilt from the live names.
_COMPACT_AFTER = 4096


@dataclass(frozen=True, slots=True)
class _Entry:
    candidate: NameCandidate
    words: str  # name_tokens: what WRatio compares
    compact: str  # without spaces: what ratio compares and the grams come from


def _grams(compact: str, size: int) -> list[str]:
    """The substrings of `size` characters, one per position (so with repetitions)."""
    return [compact[i : i + size] for i in range(len(compact) - size + 1)]


class NameIndex:
    """Every current and former name of every vendor, searchable as `search.rank` ranks."""

    def __init__(
        self, share: float = SHARE, frequent: int = FREQUENT, budget: int = BUDGET
    ) -> None:
        if not 0.0 < share <= 1.0:
            raise ValueError(f"share must be in (0, 1], got {share}")
        self._share, self._frequent, self._budget = share, frequent, budget
        # Entry id → entry; None once removed. Ids grow in the order names were added, which
        # is the order `rank` would have been given them (it breaks a vendor's ties).
        self._entries: list[_Entry | None] = []
        self._by_vendor: dict[str, list[int]] = {}
        # Bigram or trigram → ids of the names containing it, ascending. Arrays, not lists: a
        # quarter of the memory, and not containers the garbage collector walks (hundreds of
        # thousands of lists made each full collection, which stops every thread, a long
        # pause); a search copies the ones it reads into one array, a memcpy each.
        self._postings: dict[str, array[int]] = {}
        self._single: dict[str, list[int]] = {}  # names of one character have no gram
        # Entry id → the length of its compact form (a name of n characters has n−1 bigrams
        # and n−2 trigrams), and 1 while it is live: arrays numpy reads by the search's ids.
        self._lengths: array[int] = array("q")
        self._alive = bytearray()
        self._live = 0
        self._batch: _Batch | None = None  # for `candidates_many`, built again after a change
        # Frequent gram → which names hold it, by id (`_holding`), built again after a change.
        self._holders: dict[str, npt.NDArray[np.bool_]] = {}

    @classmethod
    def of(
        cls,
        candidates: Iterable[NameCandidate],
        share: float = SHARE,
        frequent: int = FREQUENT,
        budget: int = BUDGET,
    ) -> NameIndex:
        """An index of these names (a vendor's names in the order given)."""
        index = cls(share, frequent, budget)
        by_vendor: dict[str, list[NameCandidate]] = {}
        for candidate in candidates:
            by_vendor.setdefault(candidate.vendor_id, []).append(candidate)
        index.replace_vendors(by_vendor)
        return index

    def __len__(self) -> int:
        """How many names are searchable."""
        return self._live

    @property
    def vendors(self) -> int:
        return len(self._by_vendor)

    def names_of(self, vendor_id: str) -> list[NameCandidate]:
        return [e.candidate for e in self._live_entries(self._by_vendor.get(vendor_id, ()))]

    def forms(self, ids: Iterable[int]) -> list[tuple[NameCandidate, str, str]]:
        """Each live name of these ids (from `candidates`) with its words and compact form,
        as compared: for callers that score many queries' candidates in one batch."""
        return [(e.candidate, e.words, e.compact) for e in self._live_entries(ids)]

    def replace_vendors(self, names: Mapping[str, Sequence[NameCandidate]]) -> None:
        """Each vendor's names become exactly these (none: the vendor is gone)."""
        self._batch, self._holders = None, {}
        for vendor_id, candidates in names.items():
            self._remove(vendor_id)
            self._add(vendor_id, candidates)
        removed = len(self._entries) - self._live
        if removed > _COMPACT_AFTER and removed > self._live:
            self._compact()

    def search(self, query: str, *, limit: int = 20, min_score: float = 60.0) -> list[SearchHit]:
        """What `search.rank(query, <every name, in the order added>)` returns, except for the
        names the gram filter may skip (module docstring). Same ValueErrors."""
        query_words, query_compact = query_forms(query, limit, min_score)
        ids = self.candidate_ids(query_compact)
        live = [e for e in (self._entries[i] for i in ids) if e is not None]
        # In slices: rapidfuzz holds the GIL for a whole call, and a call over every name (a
        # one-character query) would keep the event loop's thread waiting for as long.
        scores: dict[int, float] = {}
        for start in range(0, len(live), _SCORED_AT_ONCE):
            part = live[start : start + _SCORED_AT_ONCE]
            scored = score_names(
                query_words,
                query_compact,
                [e.words for e in part],
                [e.compact for e in part],
                min_score,
            )
            scores.update((start + i, score) for i, score in scored.items())
        return best_per_vendor([e.candidate for e in live], scores, limit)

    def candidate_ids(self, query_compact: str) -> list[int]:
        """Ids of the live names to score for this (compact) query, ascending."""
        return self.candidates(query_compact)[0]

    def candidates(self, query_compact: str) -> tuple[list[int], int]:
        """Ids of the live names to score (ascending), and the bar: how many of the query's
        grams a name must share to be scored (0: a one-character query, every name is scored)."""
        entries = self._entries
        if len(query_compact) < 2:
            return [i for i, e in enumerate(entries) if e is not None], 0
        size = 3 if len(query_compact) >= TRIGRAMS_FROM else 2
        weights = Counter(_grams(query_compact, size))
        total = len(query_compact) - size + 1
        need = max(1, math.ceil(self._share * total))
        # Count the shared grams from the posting lists of all but the frequent ones; the
        # rarest is read however long, so every name to score is among those counted. The
        # lists read are copied into one and counted by numpy: the names counted are as
        # many as a mid-frequency gram's list (up to FREQUENT), and a walk over them in
        # Python was most of a search's time at 50,000 vendors.
        rarest = sorted(weights, key=lambda g: len(self._postings.get(g, ())))
        read: array[int] = array("q")
        frequent: list[tuple[npt.NDArray[np.bool_], int]] = []
        for n, gram in enumerate(rarest):
            postings = self._postings.get(gram, _NO_IDS)
            if n and len(postings) > self._frequent:
                frequent = [(self._holding(g), weights[g]) for g in rarest[n:]]
                break
            for _ in range(weights[gram]):  # a gram the query has twice counts twice
                read.extend(postings)
        # A name with only frequent grams was not counted: raise the bar above what they
        # weigh together, so that such a name cannot reach it.
        need = max(need, sum(w for _, w in frequent) + 1)
        # The frequent grams are counted for the names found only (`shared_grams`).
        counted, shared = shared_grams(read, frequent)
        own = np.frombuffer(self._lengths, np.int64)[counted] - (size - 1)
        # Scored: the names reaching the bar, and those with half their own grams in the
        # query (a name that is one word of a longer query: "B System" for "B Information
        # System", which WRatio's word-set score rates 85.5).
        kept = (shared >= need) | (2 * shared >= own)
        found, shared, own = counted[kept], shared[kept], own[kept]
        if len(found) > self._budget:
            alive = np.frombuffer(self._alive, np.bool_)[found]
            found, need = _within_budget(
                found, shared, own - total, alive, need, self._budget, self._in_data_order
            )
        return self._answer(found.tolist(), need, query_compact)

    def candidates_many(self, queries_compact: Sequence[str]) -> list[tuple[list[int], int]]:
        """`candidates` of each query: the same ids and bar, with the shared grams counted by
        numpy over arrays of the posting lists (`gram_postings.py`) rather than by a Counter
        and a walk in Python, for a list of queries against a small index (the barred
        vendors'). A query of one character, or with only frequent grams, is answered by
        `candidates` itself."""
        # Built on first use after a change; two readers building it at once build the same.
        batch = self._batch = self._batch or _Batch.of(self)
        return [self._counted(batch, query) for query in queries_compact]

    def _counted(self, batch: _Batch, query_compact: str) -> tuple[list[int], int]:
        """`candidates` by the same rules (its comments say why), counted by numpy."""
        if len(query_compact) < 2:
            return self.candidates(query_compact)
        size = 3 if len(query_compact) >= TRIGRAMS_FROM else 2
        grams = _grams(query_compact, size)
        often = [g for g in grams if len(self._postings.get(g, ())) > self._frequent]
        if often and len(often) == len(grams):
            return self.candidates(query_compact)  # only frequent grams: the rarest is read
        total = len(query_compact) - size + 1
        need = max(1, math.ceil(self._share * total), len(often) + 1)
        frequent = set(often)
        rare = batch.postings.counts([g for g in grams if g not in frequent])
        shared = rare + batch.postings.counts(often) if often else rare
        own = batch.own_trigrams if size == 3 else batch.own_bigrams
        found = np.flatnonzero((rare > 0) & ((shared >= need) | (2 * shared >= own)))
        if len(found) > self._budget:
            found, need = _within_budget(
                found,
                shared[found],
                own[found] - total,
                batch.live[found],
                need,
                self._budget,
                self._in_data_order,
            )
        return self._answer(found[batch.live[found]].tolist(), need, query_compact)

    def _holding(self, gram: str) -> npt.NDArray[np.bool_]:
        """Whether each name (by id) holds this frequent gram: read for the names a search
        counted, one array read each, whatever the length of the gram's list. A byte per name
        for the few frequent grams searches meet (seven at 50,000 vendors), until the next
        change (two readers building it at once build the same)."""
        holding = self._holders.get(gram)
        if holding is None:
            holding = self._holders[gram] = np.zeros(len(self._entries), np.bool_)
            holding[np.array(self._postings[gram], np.int64)] = True
        return holding

    def _answer(self, found: list[int], need: int, query_compact: str) -> tuple[list[int], int]:
        """The live names found (ascending) and, as a one-character name shares no gram but
        may still match a short query, the live one-character names among its characters."""
        entries = self._entries
        ids = [i for i in found if entries[i] is not None]
        singles = {
            i
            for char in set(query_compact)
            for i in self._single.get(char, ())
            if entries[i] is not None
        }
        return (sorted(singles.union(ids)) if singles else ids), need

    def _in_data_order(self, ids: Ints) -> Ints:
        """These live names' ids by vendor id, then name, then kind: an order the names
        themselves give, where ids follow the order they were added (by vendor id when the
        index is built at start, by arrival when it is fed change by change)."""
        named = [(e.candidate, i) for i in ids.tolist() if (e := self._entries[i]) is not None]
        named.sort(key=lambda c: (c[0].vendor_id, c[0].name, c[0].kind))
        return np.array([i for _, i in named], np.int64)

    def _live_entries(self, ids: Iterable[int]) -> list[_Entry]:
        return [e for e in (self._entries[i] for i in ids) if e is not None]

    def _remove(self, vendor_id: str) -> None:
        for i in self._by_vendor.pop(vendor_id, ()):
            if self._entries[i] is not None:
                self._entries[i] = None
                self._alive[i] = 0
                self._live -= 1

    def _add(self, vendor_id: str, candidates: Sequence[NameCandidate]) -> None:
        ids: list[int] = []
        for candidate in candidates:
            if candidate.vendor_id != vendor_id:
                raise ValueError(
                    f"a name of {candidate.vendor_id!r} given as one of {vendor_id!r}'s"
                )
            words = name_tokens(candidate.name)
            if not words:  # only punctuation: it can match nothing, as in `rank`
                continue
            ids.append(self._append(_Entry(candidate, words, words.replace(" ", ""))))
        if ids:
            self._by_vendor[vendor_id] = ids

    def _append(self, entry: _Entry) -> int:
        i = len(self._entries)
        self._entries.append(entry)
        self._lengths.append(len(entry.compact))
        self._alive.append(1)
        self._live += 1
        if len(entry.compact) == 1:
            self._single.setdefault(entry.compact, []).append(i)
        for gram in {*_grams(entry.compact, 2), *_grams(entry.compact, 3)}:
            postings = self._postings.get(gram)
            if postings is None:
                postings = self._postings[gram] = array("q")
            postings.append(i)
        return i

    def _compact(self) -> None:
        """Drops the removed names for good, keeping the live ones in their order."""
        # Names change ids: what was built from the old ones would find the wrong names.
        self._batch, self._holders = None, {}
        live = [e for e in self._entries if e is not None]
        vendors = list(self._by_vendor)
        self._entries, self._postings, self._single = [], {}, {}
        self._lengths, self._alive, self._live = array("q"), bytearray(), 0
        self._by_vendor = {}
        for entry in live:
            i = self._append(entry)
            self._by_vendor.setdefault(entry.candidate.vendor_id, []).append(i)
        assert set(vendors) == set(self._by_vendor)


def _within_budget(
    ids: Ints,
    shared: Ints,
    own: Ints,
    live: npt.NDArray[np.bool_],
    need: int,
    budget: int,
    in_data_order: Callable[[Ints], Ints],
) -> tuple[Ints, int]:
    """Of the names found (ascending ids, with the grams each shares, how much longer each is
    than the query, whether it is live): whole levels (names sharing as many grams) from the
    top while they fit in the budget, then from the next level the CLOSEST nearest the
    query's length (a typo rather than a longer or shorter name), names as near taken in
    `in_data_order` (by vendor id, then name: never by id, which is the order names were
    added, so two processes fed differently would keep different names); the bar becomes
    one above what the first name left out shares. Ascending ids, removed ones still among
    them."""
    levels = np.bincount(shared)
    whole, cut = 0, 0
    for level in np.flatnonzero(levels)[::-1].tolist():
        if whole + int(levels[level]) > budget:
            cut = level
            break
        whole += int(levels[level])
    at_cut = (shared == cut) & live
    level, far = ids[at_cut], np.abs(own[at_cut])
    room = min(CLOSEST, budget - whole)
    if room < len(level):
        # All the names nearer than the room-th nearest, then as many of those as near as
        # it as there is room for: only that tie is put in order (in Python), not the level.
        edge = np.partition(far, room - 1)[room - 1] if room else -1
        nearer = level[far < edge]
        tied = in_data_order(level[far == edge])[: room - len(nearer)]
        level = np.concatenate((nearer, tied))
    kept = np.sort(np.concatenate((ids[shared > cut], level)))
    # Everything at the cut level kept (removed names made room): the bar is the cut.
    return kept, max(need, cut + 1 if room < int(at_cut.sum()) else cut)


@dataclass(frozen=True, slots=True)
class _Batch:
    """What `candidates_many` reads, as arrays: the posting lists, which names are live,
    and each name's own bigram and trigram counts."""

    postings: GramPostings
    live: npt.NDArray[np.bool_]
    own_bigrams: Ints
    own_trigrams: Ints

    @classmethod
    def of(cls, index: NameIndex) -> _Batch:
        lengths = np.array(index._lengths, np.int64)
        return cls(
            GramPostings.of(index._postings, len(index._entries)),
            np.frombuffer(index._alive, np.bool_).copy(),
            lengths - 1,
            lengths - 2,
        )
