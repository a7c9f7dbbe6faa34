"""Vendor name search: the right vendor ranks first among similar ones (services/registry/README.md,
"The registry's rules")."""

from __future__ import annotations

import pytest

from services.registry.name_search.search import NameCandidate, NameKind, SearchHit, rank
from tests.support.name_candidates import CANDIDATES

K = NameKind


def _first(query: str) -> SearchHit:
    hits = rank(query, CANDIDATES)
    assert hits, f"nothing found for {query!r}"
    return hits[0]


@pytest.mark.parametrize(
    "query",
    [
        "ｶﾌﾞｼｷｶﾞｲｼｬﾋﾞｰｼﾞｮｳﾎｳｼｽﾃﾑ",  # (a) half-width katakana, with the legal form's reading
        "ﾋﾞｰｼﾞｮｳﾎｳｼｽﾃﾑ",  # (a) half-width katakana
        "びーじょうほうしすてむ",  # (b) hiragana
        "かぶしきがいしゃ びーじょうほうしすてむ",  # (b) hiragana, with the legal form
    ],
)
def test_by_kana_reading(query: str) -> None:
    hit = _first(query)
    assert (hit.vendor_id, hit.matched_kind, hit.score) == ("vendor-b", K.KANA, 100.0)
    assert hit.matched_name == "ビージョウホウシステム"


def test_by_former_name() -> None:  # (c)
    hit = _first("ビー電算センター")
    assert (hit.vendor_id, hit.matched_kind, hit.score) == ("vendor-b", K.FORMER, 100.0)
    assert hit.matched_name == "ビー電算センター株式会社"


@pytest.mark.parametrize(
    "query",
    [
        "株式会社ビー情報システム",  # (d) as registered
        "ビー情報システム",  # (d) legal form removed
        "ビー情報システム株式会社",  # (d) legal form moved
        "(株)ビー情報システム",
        "（株）ビー情報システム",
        "㈱ビー情報システム",
    ],
)
def test_by_legal_name_with_or_without_legal_form(query: str) -> None:
    hit = _first(query)
    assert (hit.vendor_id, hit.matched_kind, hit.score) == ("vendor-b", K.LEGAL, 100.0)


@pytest.mark.parametrize(
    "query",
    [
        "B Information System",  # (e) "Co., Ltd." removed
        "B Information System Co., Ltd.",  # (e) as registered
        "B INFORMATION SYSTEM CO.,LTD.",
        "b information system company limited",
    ],
)
def test_by_english_name_with_or_without_legal_form(query: str) -> None:
    hit = _first(query)
    assert (hit.vendor_id, hit.matched_kind, hit.score) == ("vendor-b", K.ENGLISH, 100.0)


@pytest.mark.parametrize(
    ("query", "vendor_id"),
    [
        ("ビー情報システム", "vendor-b"),
        ("ビー情報サービス", "vendor-bs"),
        ("B Information Service", "vendor-bs"),
        ("シー情報システム", "vendor-c"),
        ("ビー情報システムズ", "vendor-bss"),
        ("B Information Systems", "vendor-bss"),
        ("ビー電算", "vendor-bd"),  # vendor-bd's former name, not vendor-b's
        ("ビーシステム", "vendor-bsys"),
    ],
)
def test_distractors_are_found_by_their_own_names(query: str, vendor_id: str) -> None:
    assert _first(query).vendor_id == vendor_id


@pytest.mark.parametrize(
    "query",
    [
        "ビー情報システウ",  # one kanji/kana typo
        "ビージョウホウシスエム",
        "B Infromation System",  # transposed letters
        "B Information System Japan",  # an extra word
        "Information System B",  # reordered words
    ],
)
def test_small_typos_and_word_changes_still_rank_vendor_b_first(query: str) -> None:
    hit = _first(query)
    assert hit.vendor_id == "vendor-b"
    assert 60.0 <= hit.score < 100.0


def test_only_an_exact_normalised_match_scores_100() -> None:
    hits = rank("ビー情報システム", CANDIDATES, min_score=0)
    assert [h.vendor_id for h in hits if h.score == 100.0] == ["vendor-b"]
    # A name that merely contains the query is scaled down below an exact match.
    partial = rank("ビー情報", CANDIDATES)
    assert all(h.score < 100.0 for h in partial)


def test_each_vendor_once_with_its_best_name() -> None:
    hits = rank("B Information System", CANDIDATES, min_score=0, limit=100)
    ids = [h.vendor_id for h in hits]
    assert len(ids) == len(set(ids)) == len({c.vendor_id for c in CANDIDATES})
    assert hits[0].matched_kind == K.ENGLISH


def test_matched_kind_reports_the_name_that_matched() -> None:
    assert _first("BIS").matched_kind == K.ALIAS
    assert _first("ビー電算センター").matched_kind == K.FORMER
    assert _first("ビージョウホウシステム").matched_kind == K.KANA
    assert _first("B Information System").matched_kind == K.ENGLISH
    assert _first("ビー情報システム").matched_kind == K.LEGAL


def test_equal_scores_prefer_the_legal_name() -> None:
    same = [
        NameCandidate("v1", K.ALIAS, "Acme"),
        NameCandidate("v1", K.FORMER, "ACME Inc."),
        NameCandidate("v1", K.LEGAL, "Acme K.K."),
    ]
    (hit,) = rank("acme", same)
    assert (hit.matched_kind, hit.matched_name, hit.score) == (K.LEGAL, "Acme K.K.", 100.0)


def test_sorted_by_score_then_vendor_id() -> None:
    candidates = [
        NameCandidate("v3", K.LEGAL, "Acme"),
        NameCandidate("v2", K.LEGAL, "Acme Co."),
        NameCandidate("v1", K.LEGAL, "Acmex"),
        NameCandidate("v0", K.LEGAL, "Acme"),
    ]
    hits = rank("Acme", candidates)
    assert [h.vendor_id for h in hits] == ["v0", "v2", "v3", "v1"]
    assert [h.score for h in hits][:3] == [100.0, 100.0, 100.0]
    assert hits[3].score < 100.0


def test_limit() -> None:
    hits = rank("情報システム", CANDIDATES, limit=2, min_score=0)
    assert len(hits) == 2
    assert hits == rank("情報システム", CANDIDATES, min_score=0)[:2]


def test_min_score() -> None:
    everything = rank("ビー情報システム", CANDIDATES, min_score=0, limit=100)
    strict = rank("ビー情報システム", CANDIDATES, min_score=95, limit=100)
    assert strict == [h for h in everything if h.score >= 95]
    assert [h.vendor_id for h in strict] == ["vendor-b"]
    assert all(h.score >= 60 for h in rank("ビー情報システム", CANDIDATES))


def test_unrelated_query_finds_nothing() -> None:
    assert rank("Zymurgy Brewing", CANDIDATES) == []
    assert rank("ビー情報システム", []) == []


def test_candidate_iterable_is_consumed_once() -> None:
    hits = rank("ビー情報システム", iter(CANDIDATES))
    assert hits[0].vendor_id == "vendor-b"


@pytest.mark.parametrize("query", ["", "   ", "\u3000\t\n"])
def test_blank_query_is_refused(query: str) -> None:
    with pytest.raises(ValueError, match="search query is empty"):
        rank(query, CANDIDATES)


def test_query_of_punctuation_only_is_refused() -> None:
    with pytest.raises(ValueError, match="no letter or digit"):
        rank("・・・！", CANDIDATES)


@pytest.mark.parametrize(
    ("limit", "min_score", "message"),
    [(0, 60.0, "limit"), (20, -1.0, "min_score"), (20, 100.5, "min_score")],
)
def test_bad_limit_or_min_score_is_refused(limit: int, min_score: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rank("ビー", CANDIDATES, limit=limit, min_score=min_score)


def test_an_acronym_is_found_as_a_whole_word_never_inside_a_longer_name() -> None:
    """ "GRU" had scored 90 against "Grupo Feder S.A." (WRatio's partial alignment), as "FT"
    against "VENUS SOFTWARES": a short Latin name matches an equal name or a name holding
    it as a word, in either direction; kanji keep the partial score."""
    names = [
        NameCandidate("feder", K.LEGAL, "Grupo Feder S.A."),
        NameCandidate("venus", K.LEGAL, "VENUS SOFTWARES"),
        NameCandidate("gru", K.ALIAS, "GRU"),
        NameCandidate("works", K.LEGAL, "GRU Works"),
        NameCandidate("toshiba", K.LEGAL, "東芝エネルギーシステムズ"),
    ]
    assert [(h.vendor_id, h.score) for h in rank("GRU", names, min_score=80)] == [
        ("gru", 100.0),
        ("works", 90.0),
    ]
    assert rank("FT", names, min_score=80) == []
    assert [h.vendor_id for h in rank("Grupo Feder", names, min_score=80)] == ["feder"]
    assert [h.vendor_id for h in rank("東芝", names, min_score=80)] == ["toshiba"]


def test_a_name_holding_the_query_as_words_ranks_above_near_misses_whatever_its_length() -> None:
    """WRatio scales a partial alignment by 0.6 for a name eight times the query's length:
    "water" had scored 60 against the World Bank's "Water Supply and Sewerage Construction
    JSC No. 1 (VIWASEEN.1)", below "Walter" and "Waste" (72)."""
    names = [
        NameCandidate("long", K.LEGAL, "WATER SUPPLY AND SEWERAGE CONSTRUCTION JSC NO. 1"),
        NameCandidate("end", K.LEGAL, "SUPPLY AND SEWERAGE CONSTRUCTION JSC NO. 1 OF WATER"),
        NameCandidate("walter", K.LEGAL, "MR. WALTER FERNÁNDEZ FERNÁNDEZ"),
        NameCandidate("waste", K.LEGAL, "RISHIKESH WASTE MANAGEMENT LTD."),
        NameCandidate("inside", K.LEGAL, "WATERWORKS SUPPLY AND SEWERAGE CONSTRUCTION JSC"),
    ]
    hits = [(h.vendor_id, h.score) for h in rank("water", names, min_score=0)]
    assert hits[:2] == [("end", 90.0), ("long", 90.0)]
    assert {v for v, s in hits[2:] if s >= 70} == {"walter", "waste"}
    assert dict(hits)["inside"] < 70  # inside a longer word: not raised
    # Two words, in their order only.
    assert rank("water supply", names)[0] == SearchHit("long", names[0].name, K.LEGAL, 90.0)
    assert "long" not in {h.vendor_id for h in rank("supply water", names, min_score=90)}
