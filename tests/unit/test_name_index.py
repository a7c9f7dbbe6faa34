"""The name index answers as `rank` does, from an index: the same hits for the registry's
own examples, the bound on what its bigram filter may skip, and incremental changes equal to
an index built afresh."""

from __future__ import annotations

import random
from array import array
from collections import Counter

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from services.registry.domain.names import normalize_name
from services.registry.name_search.gram_postings import shared_grams
from services.registry.name_search.name_index import TRIGRAMS_FROM, NameIndex
from services.registry.name_search.search import NameCandidate, NameKind, rank
from tests.support.name_candidates import CANDIDATES

K = NameKind

# Every query of tests/unit/test_search.py, and a few more.
QUERIES = [
    "ｶﾌﾞｼｷｶﾞｲｼｬﾋﾞｰｼﾞｮｳﾎｳｼｽﾃﾑ",
    "ﾋﾞｰｼﾞｮｳﾎｳｼｽﾃﾑ",
    "びーじょうほうしすてむ",
    "かぶしきがいしゃ びーじょうほうしすてむ",
    "ビー電算センター",
    "株式会社ビー情報システム",
    "ビー情報システム株式会社",
    "(株)ビー情報システム",
    "㈱ビー情報システム",
    "B Information System",
    "B INFORMATION SYSTEM CO.,LTD.",
    "b information system company limited",
    "ビー情報サービス",
    "B Information Service",
    "シー情報システム",
    "ビー情報システムズ",
    "B Information Systems",
    "ビー電算",
    "ビーシステム",
    "ビー情報システウ",
    "ビージョウホウシスエム",
    "B Infromation System",
    "B Information System Japan",
    "Information System B",
    "ビー情報",
    "情報システム",
    "BIS",
    "Zymurgy Brewing",
    "b",  # one character: every name is scored
]


@pytest.mark.parametrize("query", QUERIES)
def test_rank_s_hits_on_the_registry_examples_but_the_weakest(query: str) -> None:
    """The same first hit, every hit as rank has it and in rank's order; what the gram filter
    skips shares at most one gram with the query (WRatio's word-set score rates "B System"
    85.5 for "B Information Service": the one-letter word "b" in common; "ビーシステム" 71.4
    for "ビー情報システウ", one trigram in common)."""
    index = NameIndex.of(CANDIDATES)
    expected = rank(query, CANDIDATES, limit=100)
    found = index.search(query, limit=100)
    assert found[:1] == expected[:1]
    assert found == [h for h in expected if h in found]
    compact = normalize_name(query)
    size = 3 if len(compact) >= TRIGRAMS_FROM else 2
    for missed in (h for h in expected if h not in found):
        name = normalize_name(missed.matched_name)
        assert sum(name[i : i + size] in compact for i in range(len(name) - size + 1)) <= 1


def test_limit_and_tie_breaking_as_in_rank() -> None:
    same = [
        NameCandidate("v1", K.ALIAS, "Acme"),
        NameCandidate("v1", K.ALIAS, "ACME!"),
        NameCandidate("v1", K.FORMER, "ACME Inc."),
        NameCandidate("v1", K.LEGAL, "Acme K.K."),
        NameCandidate("v3", K.LEGAL, "Acme"),
        NameCandidate("v2", K.LEGAL, "Acme Co."),
        NameCandidate("v0", K.LEGAL, "Acmex"),
    ]
    index = NameIndex.of(same)
    assert index.search("acme", limit=2) == rank("acme", same, limit=2)
    (first, *_) = index.search("acme")
    assert (first.vendor_id, first.matched_kind, first.matched_name) == ("v1", K.LEGAL, "Acme K.K.")


def test_the_same_refusals_as_rank() -> None:
    index = NameIndex.of(CANDIDATES)
    for query, message in [("", "search query is empty"), ("・・・！", "no letter or digit")]:
        with pytest.raises(ValueError, match=message):
            index.search(query)
    with pytest.raises(ValueError, match="limit"):
        index.search("ビー", limit=0)


def test_a_one_character_name_is_found_by_a_short_query() -> None:
    names = [NameCandidate("v1", K.ALIAS, "B"), NameCandidate("v2", K.LEGAL, "Zq")]
    assert NameIndex.of(names).search("bx") == rank("bx", names) != []


# Short strings over a small alphabet, so that names share many bigrams with queries.
_TEXT = st.text(alphabet="abcdeアイウ情報", min_size=1, max_size=14)


@settings(max_examples=300, deadline=None)
@given(query=_TEXT, names=st.lists(_TEXT, min_size=1, max_size=30))
def test_a_name_left_unscored_cannot_score_above_the_bound(query: str, names: list[str]) -> None:
    """The module's claim: a name sharing fewer than T of the query's bigrams has a compact
    ratio of at most 200·(m+n+T)/(3·(m+n)); fewer than T trigrams, 200·(T−1+2·(m+n+1))/
    (5·(m+n))."""
    index = NameIndex.of(
        [NameCandidate(f"v{n}", K.LEGAL, name) for n, name in enumerate(names)], budget=5
    )
    ids, need = index.candidates(query)
    scored = {index.names_of(f"v{n}")[0].name for n in range(len(names)) if n in ids}
    m = len(query)
    trigrams = m >= TRIGRAMS_FROM
    for name in set(names) - scored:
        n = len(name)
        assert need > 0
        if trigrams:
            bound = 200 * (need - 1 + 2 * (m + n + 1)) / (5 * (m + n))
        else:
            bound = 200 * (m + n + need) / (3 * (m + n))
        assert fuzz.ratio(query, name) <= bound + 1e-9
    # A name containing the whole query is found unless the budget raised the bar.
    for n, name in enumerate(names):
        if query in name and need <= m - (2 if trigrams else 1):
            assert n in ids


@settings(max_examples=100, deadline=None)
@given(
    query=_TEXT,
    names=st.lists(st.tuples(st.integers(0, 9), _TEXT), min_size=1, max_size=30),
)
def test_every_hit_has_the_score_rank_gives_its_name(
    query: str, names: list[tuple[int, str]]
) -> None:
    candidates = [NameCandidate(f"v{v}", K.ALIAS, name) for v, name in names]
    index = NameIndex.of(candidates)
    best = {h.vendor_id: h.score for h in rank(query, candidates, limit=100)}
    for hit in index.search(query, limit=100):
        (alone,) = rank(query, [NameCandidate(hit.vendor_id, hit.matched_kind, hit.matched_name)])
        assert hit.score == alone.score <= best[hit.vendor_id]


def test_the_bar_is_raised_to_keep_a_search_within_budget() -> None:
    # 300 vendors whose names all end in the same reading, and one that matches well (a query
    # of seven characters: bigrams).
    rng = random.Random(7)
    names = [
        NameCandidate(f"v{n:03d}", K.KANA, "".join(rng.choices("アイウエオカキクケコ", k=4)))
        for n in range(300)
    ]
    names = [NameCandidate(c.vendor_id, c.kind, c.name + "ジョウホウ") for c in names]
    names.append(NameCandidate("target", K.KANA, "サシジョウホウ"))
    query = normalize_name("サシジョウホウ")
    unbounded = NameIndex.of(names, frequent=10_000, budget=10_000)
    bounded = NameIndex.of(names, frequent=10_000, budget=20)
    assert len(unbounded.candidate_ids(query)) >= 300
    ids, need = bounded.candidates(query)
    assert len(ids) <= 20 and need > unbounded.candidates(query)[1]
    assert bounded.search("サシジョウホウ")[0].vendor_id == "target"
    # Read as frequent (their lists not read), the shared bigrams of ジョウホウ raise the bar
    # above their number: four.
    frequent = NameIndex.of(names, frequent=100, budget=10_000)
    _, need = frequent.candidates(query)
    assert need == 5
    assert frequent.search("サシジョウホウ")[0].vendor_id == "target"


def test_a_vendor_renamed_into_a_frequent_reading_is_found_at_once() -> None:
    """Names holding a gram in more than `frequent` names are told by a lookup, kept between
    searches: a vendor registered or renamed since the last search is found by the next."""
    names = [
        NameCandidate(f"v{n}", K.KANA, f"{kana}ジョウホウ") for n, kana in enumerate("アイウエオカ")
    ]
    index = NameIndex.of(names, frequent=3)
    index.search("サシジョウホウ")  # looks ジョウホウ's grams up (and keeps them)
    index.replace_vendors({"v0": [NameCandidate("v0", K.KANA, "サシジョウホウ")]})
    index.replace_vendors({"new": [NameCandidate("new", K.KANA, "サシジョウホウ")]})
    assert [(h.vendor_id, h.score) for h in index.search("サシジョウホウ")] == [
        ("new", 100.0),
        ("v0", 100.0),
    ]
    index.replace_vendors({"new": [NameCandidate("new", K.KANA, "Zymurgy")]})
    assert [h.vendor_id for h in index.search("サシジョウホウ")] == ["v0"]


def test_renames_and_removals() -> None:
    index = NameIndex.of(CANDIDATES)
    index.replace_vendors({"vendor-b": [NameCandidate("vendor-b", K.LEGAL, "Zymurgy Brewing")]})
    assert index.search("Zymurgy")[0].vendor_id == "vendor-b"
    assert "vendor-b" not in {h.vendor_id for h in index.search("ビー情報システム")}
    index.replace_vendors({"vendor-b": []})
    assert index.search("Zymurgy") == []
    assert index.vendors == len({c.vendor_id for c in CANDIDATES}) - 1
    with pytest.raises(ValueError, match="given as one of"):
        index.replace_vendors({"vendor-c": [NameCandidate("vendor-d", K.LEGAL, "X")]})


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 5), st.lists(_TEXT, max_size=3)), min_size=1, max_size=40
    ),
    query=_TEXT,
    frequent=st.sampled_from([2, 2000]),
    budget=st.sampled_from([2, 400]),
)
# A frequent gram's names, read by a search before a compaction, were the old ids' after it.
@example(steps=[(0, ["a"]), (0, ["adec", "de", "de"])], query="dec", frequent=2, budget=400)
def test_changes_leave_the_index_as_built_afresh(
    steps: list[tuple[int, list[str]]], query: str, frequent: int, budget: int
) -> None:
    """Names replaced vendor by vendor, searched between changes (which keeps the frequent
    grams' names), removed ones compacted away now and then: the same answers as an index of
    the names as they now are, read in vendor id order (as at start), the budget's cut
    included."""
    index = NameIndex(frequent=frequent, budget=budget)
    current: dict[str, list[NameCandidate]] = {}
    for vendor, names in steps:
        vendor_id = f"v{vendor}"
        current[vendor_id] = [NameCandidate(vendor_id, K.ALIAS, name) for name in names]
        index.replace_vendors({vendor_id: current[vendor_id]})
        index.search(query)
    index._compact()  # what a long run of changes does from time to time
    fresh = NameIndex.of(
        [c for _, names in sorted(current.items()) for c in names], frequent=frequent, budget=budget
    )
    assert index.search(query, limit=100) == fresh.search(query, limit=100)
    assert len(index) == len(fresh)
    for vendor_id, candidates in current.items():
        assert index.names_of(vendor_id) == [c for c in candidates if normalize_name(c.name)]


@settings(max_examples=150, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 9), st.lists(_TEXT, max_size=3)), min_size=1, max_size=30
    ),
    queries=st.lists(_TEXT, min_size=1, max_size=8),
    frequent=st.sampled_from([3, 8, 2000]),
    budget=st.sampled_from([2, 6, 400]),
)
def test_a_list_of_queries_gets_each_query_s_candidates(
    steps: list[tuple[int, list[str]]], queries: list[str], frequent: int, budget: int
) -> None:
    """`candidates_many` (what bidder screening asks, numpy counting) gives each query the
    ids and bar `candidates` gives: with removed names still in the posting lists, frequent
    grams, the budget's cut, one-character names; and again after the names change."""
    index = NameIndex(frequent=frequent, budget=budget)
    compact = [normalize_name(q) for q in queries]
    for n, (vendor, names) in enumerate(steps):
        vendor_id = f"v{vendor}"
        index.replace_vendors({vendor_id: [NameCandidate(vendor_id, K.ALIAS, x) for x in names]})
        if n in (0, len(steps) // 2, len(steps) - 1):
            assert index.candidates_many(compact) == [index.candidates(q) for q in compact]


@settings(max_examples=200, deadline=None)
@given(
    lists=st.lists(st.sets(st.integers(0, 40)), max_size=5),
    frequent=st.lists(st.tuples(st.sets(st.integers(0, 40)), st.integers(1, 2)), max_size=3),
)
def test_shared_grams_counts_what_the_lists_and_masks_say(
    lists: list[set[int]], frequent: list[tuple[set[int], int]]
) -> None:
    """A search's count (numpy, a sort): each name once per list read that holds it, plus a
    frequent gram's weight when its mask holds the name; only the names read are counted."""
    read = array("q", [i for ids in lists for i in sorted(ids)])
    masks = [(np.isin(np.arange(41), sorted(ids)), weight) for ids, weight in frequent]
    names, counts = shared_grams(read, masks)
    expected = Counter(read)
    for i in expected:
        expected[i] += sum(weight for ids, weight in frequent if i in ids)
    assert names.tolist() == sorted(expected)
    assert counts.tolist() == [expected[i] for i in sorted(expected)]


def test_the_budget_s_cut_is_the_same_however_the_index_was_filled() -> None:
    """Names tied at the cut level (as many grams shared, as long) are kept by vendor id, then
    name: an API process whose index was fed vendor by vendor as they registered answers as
    one that read every vendor at start (by vendor id). Cut by the order names were added,
    the two had answered one query with different vendors."""
    names = [
        NameCandidate(f"v{n:02d}", K.LEGAL, f"{kana}Construction")
        for n, kana in enumerate(["Abe ", "Ito ", "Oda ", "Ono ", "Abe ", "Uno ", "Eto ", "Ise "])
    ]
    at_start = NameIndex.of(names, budget=3)  # read ordered by vendor id
    fed = NameIndex(budget=3)
    for candidate in reversed(names):  # registered one by one, the last first
        fed.replace_vendors({candidate.vendor_id: [candidate]})
    hits = at_start.search("Construction", limit=20, min_score=0)
    assert [h.vendor_id for h in hits] == ["v00", "v01", "v02"]
    assert fed.search("Construction", limit=20, min_score=0) == hits
    query = normalize_name("Construction")
    assert fed.candidates_many([query]) == [fed.candidates(query)]
    assert fed.candidates(query)[1] == at_start.candidates(query)[1]
