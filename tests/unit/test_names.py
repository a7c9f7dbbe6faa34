"""Name and identifier normalisation (services/registry/README.md, "The registry's rules")."""

from __future__ import annotations

import pytest

from services.registry.domain.names import (
    IdentifierKey,
    name_length_problem,
    name_tokens,
    normalize_identifier,
    normalize_name,
)

READING = "ビージヨウホウシステム"  # ビージョウホウシステム, small kana folded


@pytest.mark.parametrize(
    "text",
    [
        "ビージョウホウシステム",
        "ﾋﾞｰｼﾞｮｳﾎｳｼｽﾃﾑ",  # half-width katakana (NFKC, voiced marks composed)
        "ｶﾌﾞｼｷｶﾞｲｼｬﾋﾞｰｼﾞｮｳﾎｳｼｽﾃﾑ",  # with the reading of 株式会社
        "カブシキカイシャビージョウホウシステム",
        "ビージョウホウシステムカブシキガイシャ",
        "びーじょうほうしすてむ",  # hiragana
        "かぶしきがいしゃ びーじょうほうしすてむ",
        "ビージヨウホウシステム",  # bank-style reading, large kana only
        "ビ-ジョウホウシステム",  # hyphen typed for the long vowel mark
        "ビ－ジョウホウシステム",  # full-width hyphen-minus
        "ビ―ジョウホウシステム",  # horizontal bar
        "ビー・ジョウホウ・システム",  # middle dots
        "ｶ)ﾋﾞｰｼﾞｮｳﾎｳｼｽﾃﾑ",  # bank-transfer abbreviation of 株式会社, before the name
        "ﾋﾞｰｼﾞｮｳﾎｳｼｽﾃﾑ(ｶ",  # … and after it
    ],
)
def test_readings_written_in_any_kana_agree(text: str) -> None:
    assert normalize_name(text) == READING


@pytest.mark.parametrize(
    "text",
    [
        "株式会社ビー情報システム",
        "ビー情報システム",
        "ビー情報システム株式会社",
        "(株)ビー情報システム",
        "（株）ビー情報システム",
        "( 株 )ビー情報システム",
        "㈱ビー情報システム",
        "ビー情報システム㈱",
        "㍿ビー情報システム",
        "株式会社　ビー情報システム",  # ideographic space
        "ビ－情報システム",
    ],
)
def test_japanese_legal_form_is_ignored_wherever_it_stands(text: str) -> None:
    assert normalize_name(text) == "ビー情報システム"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("有限会社ビー情報", "ビー情報"),
        ("㈲ビー情報", "ビー情報"),
        ("(有)ビー情報", "ビー情報"),
        ("合同会社ビー情報", "ビー情報"),
        ("ビー情報(同)", "ビー情報"),
        ("合資会社ビー情報", "ビー情報"),
        ("合名会社ビー情報", "ビー情報"),
        ("一般社団法人ビー協会", "ビー協会"),
        ("一般財団法人ビー財団", "ビー財団"),
        ("公益社団法人ビー協会", "ビー協会"),
        ("公益財団法人ビー財団", "ビー財団"),
        ("特定非営利活動法人ビーネット", "ビーネツト"),
        ("NPO法人ビーネット", "ビーネツト"),
    ],
)
def test_other_japanese_legal_forms(text: str, expected: str) -> None:
    assert normalize_name(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "B Information System",
        "B Information System Co., Ltd.",
        "B Information System Co.,Ltd.",
        "B Information System Co.Ltd.",
        "B INFORMATION SYSTEM CO LTD",
        "B Information System Company Limited",
        "B Information System Limited",
        "B Information System Ltd",
        "B Information System Inc.",
        "B Information System Incorporated",
        "B Information System Corp.",
        "B Information System Corporation",
        "B Information System K.K.",
        "B Information System KK",
        "B Information System G.K.",
        "B Information System LLC",
        "B Information System L.L.C.",
        "B Information System PLC",
        "B Information System GmbH",
        "B Information System S.A.",
        "Kabushiki Kaisha B Information System",
        "Ｂ Ｉｎｆｏｒｍａｔｉｏｎ Ｓｙｓｔｅｍ Ｃｏ．，Ｌｔｄ．",  # full-width (NFKC)
        "b-information system, inc.",
        "B Information System™",
    ],
)
def test_english_legal_form_is_ignored(text: str) -> None:
    assert normalize_name(text) == "binformationsystem"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cooper Industries", "cooperindustries"),  # "co" is not eaten from "cooper"
        ("Incubator Partners", "incubatorpartners"),  # nor "inc" from "incubator"
        ("Corpus Labs Inc.", "corpuslabs"),
        ("Disco Ltd", "disco"),
        ("Limitless Co.", "limitless"),
        ("Plcm Systems", "plcmsystems"),
        ("Kkbox", "kkbox"),
        ("Co-op Mart", "coopmart"),  # a hyphenated word keeps its parts
        ("U.S.A. Trading S.A.", "usatrading"),  # the "s.a." of "u.s.a." stays
        ("Tokyo Spa", "tokyospa"),  # short designators that are words are kept bare
        ("Siemens AG", "siemensag"),
        ("Smith & Co.", "smith"),
        ("O'Connor Corp.", "oconnor"),
    ],
)
def test_designators_are_whole_tokens_only(text: str, expected: str) -> None:
    assert normalize_name(text) == expected


def test_nfkc_and_case_folding() -> None:
    assert normalize_name("ＡＢＣ１２３") == "abc123"
    assert normalize_name("Straße") == normalize_name("STRASSE") == "strasse"
    assert normalize_name("ÉCOLE") == "école"
    assert normalize_name("Ⅻ Systems") == "xiisystems"


def test_punctuation_symbols_and_whitespace_are_ignored() -> None:
    assert normalize_name("  A.B.C. / Net-Works (Japan) \t\n") == "abcnetworksjapan"
    assert normalize_name("ビー・情報「システム」！") == "ビー情報システム"
    assert normalize_name("AT&T") == "att"
    assert normalize_name("!!! ---") == ""


def test_long_vowel_mark_is_kept() -> None:
    # Folding ー away would make ビル (building) and ビール (beer) one name.
    assert normalize_name("ビル") != normalize_name("ビール")
    assert normalize_name("らーめん") == normalize_name("ﾗｰﾒﾝ") == "ラーメン"


def test_small_kana_fold_to_large() -> None:
    # Documented choice: registries write large kana (キヤノン), users type small (キャノン).
    assert normalize_name("キャノン") == normalize_name("キヤノン")
    assert normalize_name("霞ヶ関") == normalize_name("霞ケ関")


def test_a_name_of_designators_only_is_kept() -> None:
    assert normalize_name("株式会社") == "株式会社"
    assert normalize_name("Company Limited") == "companylimited"


def test_name_tokens_keeps_word_boundaries() -> None:
    assert name_tokens("B Information System Co., Ltd.") == "b information system"
    assert name_tokens("株式会社 ビー情報システム") == "ビー情報システム"


CORPORATE_KEY = IdentifierKey("corporate_number", "1234567890123")


@pytest.mark.parametrize(
    ("scheme", "value", "expected"),
    [
        (
            "corporate_number",
            "1234-5678-9012-3",
            IdentifierKey("corporate_number", "1234567890123"),
        ),
        (
            "corporate_number",
            "１２３４ ５６７８ ９０１２ ３",
            IdentifierKey("corporate_number", "1234567890123"),
        ),
        (" LEI ", "529900t8bm49aursdo55", IdentifierKey("lei", "529900T8BM49AURSDO55")),
        ("duns", "12-345-6789", IdentifierKey("duns", "123456789")),
    ],
)
def test_normalize_identifier(scheme: str, value: str, expected: IdentifierKey) -> None:
    assert normalize_identifier(scheme, value) == expected


def test_identifier_scheme_is_part_of_the_key() -> None:
    assert normalize_identifier("duns", "123456789") != normalize_identifier(
        "internal", "123456789"
    )


@pytest.mark.parametrize(("scheme", "value"), [("", "123"), ("duns", " - "), ("duns", "")])
def test_blank_identifier_is_refused(scheme: str, value: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        normalize_identifier(scheme, value)


def test_a_name_to_look_for_is_as_long_as_the_registry_counts_a_name() -> None:
    # A 300-character name, pasted with the line break after it, is one the registry holds.
    assert name_length_problem("name", "北" * 300 + "\n") is None
    assert name_length_problem("search", "北" * 301) == (
        "search: 301 characters; a name or identifier to look for has at most 300"
    )
