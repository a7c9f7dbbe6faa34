"""Bidder names against barred vendors' names (pure): thresholds by country, every name of a
candidate scored, and explanations that say what the comparison set aside."""

from __future__ import annotations

import datetime as dt

import pytest

from services.registry.bidder_screening.bidders import BidderListRefused, check, checked
from services.registry.bidder_screening.explanations import why
from services.registry.bidder_screening.matching import (
    BarredVendor,
    NameQuery,
    Thresholds,
    kinds_on,
    match_all,
)
from services.registry.bidder_screening.model import MAX_BIDDERS, Bidder
from services.registry.domain.names import (
    IdentifierKey,
    Normalisation,
    fold_accents,
    normalisations,
)
from services.registry.name_search.search import NameCandidate, NameKind, rank

THRESHOLDS = Thresholds(review=88.0, other_country=100.0)
ACME = BarredVendor(
    "acme",
    "TR",
    (
        NameCandidate("acme", NameKind.LEGAL, "Genç İnşaat Limited Şirketi"),
        NameCandidate("acme", NameKind.ALIAS, "GENC YAPI"),
    ),
)


def test_a_name_without_its_accents_matches_and_every_name_is_scored() -> None:
    ((match,),) = match_all([NameQuery("GENC INSAAT LTD SIRKETI", "TR")], [ACME], THRESHOLDS)
    assert (match.vendor_id, match.matched.kind) == ("acme", NameKind.LEGAL)
    assert match.score >= 88.0
    assert [n.name for n in match.names] == ["Genç İnşaat Limited Şirketi", "GENC YAPI"]
    assert match.names[1].score < match.score
    assert Normalisation.ACCENTS_FOLDED in match.matched.normalisations
    assert why(match, "TR").startswith(f"scores {match.score:g} against its legal name")


def test_another_country_needs_the_other_country_threshold() -> None:
    query = [NameQuery("Genc Insat Limited Sirketi", "AZ")]  # 97.3
    assert match_all(query, [ACME], THRESHOLDS) == [[]]
    (found,) = match_all(query, [ACME], Thresholds(review=88.0, other_country=88.0))
    assert [m.vendor_id for m in found] == ["acme"]
    assert why(found[0], "AZ").endswith("other country TR")
    # An unknown country on either side: the review threshold.
    assert match_all([NameQuery("Genc Insat Limited Sirketi", None)], [ACME], THRESHOLDS)[0]


def test_names_far_from_every_barred_name_match_nothing() -> None:
    answers = match_all([NameQuery("Nordbro Konsult AB", "SE")], [ACME], THRESHOLDS)
    assert answers == [[]]


def test_a_list_is_answered_as_each_name_alone() -> None:
    """One batch for the whole list: each name gets what it gets alone, with its own
    country's threshold against each vendor's (unknown on either side: the review one)."""
    unknown = BarredVendor(
        "unknown-country",
        None,
        (NameCandidate("unknown-country", NameKind.LEGAL, "Genc Insaat Limited Sirketi"),),
    )
    b = BarredVendor(
        "b",
        "JP",
        (
            NameCandidate("b", NameKind.LEGAL, "株式会社ビーシステム"),
            NameCandidate("b", NameKind.KANA, "ビーシステム"),
        ),
    )
    barred = [ACME, unknown, b]
    queries = [
        NameQuery("Genc Insat Limited Sirketi", "AZ"),  # 97.3: abroad for ACME, not unknown
        NameQuery("GENC INSAAT LTD SIRKETI", "TR"),
        NameQuery("びーしすてむ", "JP"),
        NameQuery("Nordbro Konsult AB", None),
        NameQuery("ビーシステム", "US"),  # equal once normalised: 100 reaches any threshold
    ]
    together = match_all(queries, barred, THRESHOLDS)
    assert together == [match_all([q], barred, THRESHOLDS)[0] for q in queries]
    assert [[m.vendor_id for m in found] for found in together] == [
        ["unknown-country"],
        ["acme", "unknown-country"],
        ["b"],
        [],
        ["b"],
    ]


@pytest.mark.parametrize(
    ("name", "steps"),
    [
        ("株式会社ビーシステム", {Normalisation.LEGAL_FORM_REMOVED}),
        ("びーしすてむ", {Normalisation.KANA_FOLDED}),
        (
            "ｶﾌﾞｼｷｶﾞｲｼｬﾋﾞｰ",  # half-width, and a small ャ
            {
                Normalisation.WIDTH_FOLDED,
                Normalisation.KANA_FOLDED,
                Normalisation.LEGAL_FORM_REMOVED,
            },
        ),
        ("B-System", {Normalisation.CASE_FOLDED, Normalisation.PUNCTUATION_IGNORED}),
        ("Company Limited", {Normalisation.CASE_FOLDED}),  # only a legal form: kept
        ("ビーシステム", set()),
    ],
)
def test_normalisations_are_the_steps_that_changed_the_name(
    name: str, steps: set[Normalisation]
) -> None:
    assert normalisations(name) == steps


def test_accents_are_folded_in_latin_letters_only() -> None:
    assert fold_accents("Đoàn İnşaat Məhdud Łódź") == "Doan Insaat Mahdud Lodz"
    assert fold_accents("ガス株式会社") == "ガス株式会社"  # a voiced mark is no accent


@pytest.mark.parametrize(
    ("bidder", "error"),
    [
        (Bidder("1"), "give exactly one of vendorId, identifier and name"),
        (Bidder("2", vendor_id="v", name="x"), "give exactly one of vendorId, identifier and name"),
        (
            Bidder("3", identifier=IdentifierKey("corporate_number", "1234")),
            "identifier: a corporate number has 13 digits (spaces and hyphens aside), got '1234'",
        ),
        (
            Bidder("4", identifier=IdentifierKey("lei", "5493001kjtiigc8y1r11")),
            "identifier: LEI 5493001KJTIIGC8Y1R11 fails its ISO 7064 check digits (expected 12)",
        ),
        (Bidder("5", identifier=IdentifierKey(" ", "1")), "identifier: identifier scheme is empty"),
        (Bidder("6", vendor_id=" "), "vendorId: it is empty"),
        (Bidder("7", name="株式会社"), None),  # only a legal form: matched as such
        (Bidder("8", name="-", country="JP"), "name: it has no letter or digit to match"),
    ],
)
def test_each_bidder_is_checked_on_its_own(bidder: Bidder, error: str | None) -> None:
    assert (check(bidder).error or "").startswith(error or "") and (
        (check(bidder).error is None) == (error is None)
    )


def test_a_full_width_hyphenated_corporate_number_is_read_and_checked() -> None:
    written = IdentifierKey("corporate_number", "７-００００-１２０５-０００２")
    assert check(Bidder("1", identifier=written)).identifier == IdentifierKey(
        "corporate_number", "7000012050002"
    )


def test_more_bidders_than_the_limit_are_refused_together() -> None:
    with pytest.raises(BidderListRefused, match=f"the limit is {MAX_BIDDERS:,}"):
        checked([Bidder(str(n), vendor_id="v") for n in range(MAX_BIDDERS + 1)])


def test_repeated_refs_are_named_up_to_ten_and_the_rest_counted() -> None:
    bidders = [Bidder(str(n % 12), vendor_id="v") for n in range(30)]
    with pytest.raises(BidderListRefused) as refused:
        checked(bidders)
    named = ", ".join(repr(str(n)) for n in range(10))
    assert str(refused.value) == (
        f"bidders: duplicate refs {named} and 2 more; a ref names one bidder, to tell its answer"
    )


def test_an_acronym_matches_whole_words_only_and_as_vendors_search_scores_it() -> None:
    """A bidder's short name is not found inside a barred vendor's longer one, nor a barred
    vendor's acronym inside a bidder's name; a barred name holding it as a word is, at the
    score `vendors(search:)` gives."""
    barred = [
        BarredVendor("gru", "RU", (NameCandidate("gru", NameKind.ALIAS, "GRU"),)),
        BarredVendor("feder", "AR", (NameCandidate("feder", NameKind.LEGAL, "Grupo Feder"),)),
        BarredVendor("works", "RU", (NameCandidate("works", NameKind.LEGAL, "GRU Works"),)),
    ]
    thresholds = Thresholds(review=90.0, other_country=90.0)
    (gru, feder) = match_all(
        [NameQuery("GRU", None), NameQuery("Grupo Feder SA", None)], barred, thresholds
    )
    assert [(m.vendor_id, m.score) for m in gru] == [("gru", 100.0), ("works", 90.0)]
    assert [m.vendor_id for m in feder] == ["feder"]
    candidates = [name for vendor in barred for name in vendor.names]
    assert [(h.vendor_id, h.score) for h in rank("GRU", candidates, min_score=90)] == [
        ("gru", 100.0),
        ("works", 90.0),
    ]
    # Other scripts keep the partial score: two kanji name a firm.
    toshiba = BarredVendor("t", "JP", (NameCandidate("t", NameKind.LEGAL, "東芝エネルギー"),))
    assert match_all([NameQuery("東芝", "JP")], [toshiba], thresholds)[0]


def test_a_long_barred_name_holding_the_bidders_name_is_a_possible_match() -> None:
    """ "VIWASEEN" against a barred firm named "VIWASEEN MANPOWER SUPPLY, COMMERCIAL AND
    TOURISM JSC VIWASEEN (VIWASEEN.TMC)" (the World Bank's list) had scored 60, below the
    review threshold, as `vendors(search:)` scored it (WRatio's penalty for a name eight
    times the query's length): the bidder was answered as no barred vendor's. A name holding
    the bidder's words whole scores 90 whatever its length, in both; a near-miss does not."""
    name = "VIWASEEN MANPOWER SUPPLY, COMMERCIAL AND TOURISM JSC VIWASEEN (VIWASEEN.TMC)"
    tmc = BarredVendor("tmc", "VN", (NameCandidate("tmc", NameKind.LEGAL, name),))
    (found, near) = match_all(
        [NameQuery("Viwaseen", "VN"), NameQuery("Viwasen", "VN")], [tmc], THRESHOLDS
    )
    assert [(m.vendor_id, m.score) for m in found] == [("tmc", 90.0)]
    assert near == []
    assert [h.score for h in rank("Viwaseen", tmc.names)] == [90.0]


def _former(name: str, until: str, was: NameKind) -> NameCandidate:
    return NameCandidate("b", NameKind.FORMER, name, dt.date.fromisoformat(until), was)


def test_a_name_a_same_day_rename_corrected_was_never_in_use() -> None:
    """A Corp renamed on 2024-03-01 to B Corp, then the same day (a correction) to C Corp: A
    and B are both listed as used until 2024-02-29, in the order recorded. On the days up to
    then A was the vendor's legal name; B, adopted and replaced on 2024-03-01, never was."""
    names = [
        NameCandidate("b", NameKind.LEGAL, "C Corp"),
        _former("A Corp", "2024-02-29", NameKind.LEGAL),
        _former("A Kana", "2024-02-29", NameKind.KANA),
        _former("B Corp", "2024-02-29", NameKind.LEGAL),
        _former("B Kana", "2024-02-29", NameKind.KANA),
    ]
    k = NameKind
    assert kinds_on(names, dt.date(2024, 1, 15)) == [k.LEGAL, k.LEGAL, k.KANA, k.FORMER, k.FORMER]
    assert kinds_on(names, dt.date(2024, 3, 1)) == [k.LEGAL, *[k.FORMER] * 4]
    # C renamed on 2024-06-01 to D, corrected that day to E: C is the legal name in between.
    later = [
        NameCandidate("b", NameKind.LEGAL, "E Corp"),
        *names[1:],
        _former("C Corp", "2024-05-31", NameKind.LEGAL),
        _former("D Corp", "2024-05-31", NameKind.LEGAL),
    ]
    in_between = [k.LEGAL, *[k.FORMER] * 4, k.LEGAL, k.FORMER]
    assert kinds_on(later, dt.date(2024, 4, 1)) == in_between
    assert kinds_on(later, dt.date(2024, 1, 15)) == [k.LEGAL, k.LEGAL, k.KANA, *[k.FORMER] * 4]
