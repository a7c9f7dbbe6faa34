"""Vendor names and identifiers in the form they are compared in (pure, no I/O).

Names match after Unicode NFKC, case folding, and with legal-form
designators (株式会社, (株), ㈱, Co., Ltd., Inc., K.K., …), punctuation, symbols and
whitespace ignored; kana readings and former names match too.

`normalize_name` runs, in order:

1. ™ and ℠ are dropped (NFKC would turn them into the letters "TM" and "SM"); Unicode NFKC
   (full-width Latin and digits become ASCII, half-width katakana becomes full-width with
   its voiced marks composed, ㈱ becomes "(株)", ㍿ becomes "株式会社"); case folding.
2. Kana folding, so that one reading written in different ways compares equal:
   - hiragana becomes katakana (びーじょうほう = ビージョウホウ);
   - small kana become large (ァィゥェォッャュョヮヵヶ → アイウエオツヤユヨワカケ). Chosen
     because Japanese bank and registry systems (全銀 kana) write readings with large kana
     only (ビージヨウホウ), because companies themselves disagree with common spelling
     (キヤノン is officially written with a large ヤ, users type キャノン), and because ヶ/ケ
     are interchangeable in place names (霞ヶ関 / 霞ケ関). Names that differ *only* in the size
     of one kana are practically never two different vendors, and a fuzzy search would rank
     them next to each other anyway, so folding costs no false positives in practice;
   - a hyphen or dash right after kana is the long vowel mark typed on a Latin keyboard
     (ビ-ジョウホウ, ビ－ジョウホウ) and becomes ー; the long vowel mark itself is kept, so
     ビル (building) and ビール (beer) stay different. A dash anywhere else separates words.
3. Legal-form designators are removed wherever they stand. Japanese ones (株式会社, (株),
   カブシキガイシャ, …) are removed as substrings, since Japanese has no spaces between words
   and these strings never occur inside an ordinary name. English and other Latin-script
   ones (Co., Ltd., Inc., K.K., LLC, GmbH, …) are removed only as whole tokens: "Cooper
   Industries" keeps "cooper", "Incubator" keeps "inc", "Co-op" keeps "co", "U.S.A." keeps
   "s.a.". Short designators that are also ordinary words (AG, SA, SpA, SAS, GK) are only
   removed in their dotted spelling. If nothing but designators is left ("Company Limited"),
   the designators are kept instead: a name never normalises to nothing.
4. Punctuation, symbols and all whitespace are removed (`normalize_name`); `name_tokens`
   keeps one space between words instead, for scorers that compare word sets.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

import jaconv

from services.events.base import SHORT_TEXT_MAX_CHARS
from services.events.identifier_forms import DASHES, compact_identifier

__all__ = [
    "IdentifierKey",
    "Normalisation",
    "address_tokens",
    "fold_accents",
    "name_tokens",
    "normalisations",
    "normalize_identifier",
    "normalize_name",
]

_KATAKANA = "\u30a1-\u30fa\u30fd\u30fe\u30fc"  # ァ..ヺ, ヽヾ, ー

# jaconv's small-kana table has no small wa (ヮ, from ゎ too), which readings write large.
_SMALL_WA = str.maketrans("ヮ", "ワ")

_DROP_BEFORE_NFKC = str.maketrans("", "", "\u2122\u2120")  # ™ ℠

_LONG_VOWEL_AFTER_KANA = re.compile(f"(?<=[{_KATAKANA}])[{DASHES}]+")
# ー is a letter to the regex engine, so one that follows no kana is made a separator here;
# other dashes are left alone (so "co-op" is still one word) and separate words later.
_STRAY_LONG_VOWEL = re.compile(f"(?<![{_KATAKANA}])ー+")


# No name or identifier the registry records is longer (the events' ShortText). A search or a
# bidder's name beyond it matches nothing better, and the name index's work grows with the
# text (a query of one gram repeated read its postings once per repeat: 2 GB for 450 kB).
MAX_NAME_CHARS = SHORT_TEXT_MAX_CHARS


def name_length_problem(field: str, text: str) -> str | None:
    """Why `text` is too long to be a name to look for, or None."""
    length = len(text.strip())  # as the registry counts a name it records
    if length <= MAX_NAME_CHARS:
        return None
    return (
        f"{field}: {length:,} characters; a name or identifier to look for has at most"
        f" {MAX_NAME_CHARS}"
    )


def _fold_kana(text: str) -> str:
    # Kana width is not folded here: NFKC, which must run anyway for full-width Latin, digits
    # and ㈱, already makes half-width kana full-width with their voiced marks composed.
    text = jaconv.enlargesmallkana(jaconv.hira2kata(text)).translate(_SMALL_WA)
    text = _LONG_VOWEL_AFTER_KANA.sub(lambda m: "ー" * len(m.group()), text)
    return _STRAY_LONG_VOWEL.sub(" ", text)


_JAPANESE_DESIGNATORS = (
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "相互会社",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "社団法人",
    "財団法人",
    "特定非営利活動法人",
    "npo法人",
    "独立行政法人",
    "地方独立行政法人",
    "国立大学法人",
    "医療法人社団",
    "医療法人財団",
    "医療法人",
    "社会福祉法人",
    "学校法人",
    "宗教法人",
    # Readings, written folded (large kana) because they are matched after kana folding.
    "カブシキガイシャ",
    "カブシキカイシャ",
    "ユウゲンガイシャ",
    "ユウゲンカイシャ",
    "ゴウドウガイシャ",
    "ゴウドウカイシャ",
    "ゴウシガイシャ",
    "ゴウシカイシャ",
    "ゴウメイガイシャ",
    "ゴウメイカイシャ",
)

_JAPANESE_DESIGNATOR = re.compile(
    "|".join(
        [re.escape(_fold_kana(d)) for d in sorted(_JAPANESE_DESIGNATORS, key=len, reverse=True)]
        # (株) (有) (同) (資) (名) (社) (財) (医), also from ㈱ ㈲ ㈾ ㈴ ㈳ ㈶ and （株） via NFKC.
        + [
            r"\(\s*[株有同資名社財医]\s*\)",
            # Bank-transfer (全銀) abbreviations in readings: カ) ビー…, …ビー (カ, (ユ), ド).
            r"\(\s*[カユド]\s*\)",
            r"^\s*[カユド]\s*\)",
            r"\(\s*[カユド]\s*$",
        ]
    )
)

# Latin-script designators, matched as whole tokens, after case folding (so lower case).
# A trailing "." is optional everywhere; inner dots and spaces are spelled out.
_LATIN_DESIGNATORS = (
    r"co\.?\s*,?\s*ltd",  # "co.,ltd" and "co.ltd", where "ltd" directly follows a dot
    r"company",
    r"co",
    r"limited",
    r"ltd",
    r"incorporated",
    r"inc",
    r"corporation",
    r"corp",
    r"kabushiki\s*[gk]aisha",
    r"y[uū]u?gen\s*[gk]aisha",
    r"g[oō]u?d[oō]u?\s*[gk]aisha",
    r"k\.\s*k",
    r"kk",
    r"g\.\s*k",
    r"l\.\s*l\.\s*c",
    r"llc",
    r"l\.\s*l\.\s*p",
    r"llp",
    r"p\.\s*l\.\s*c",
    r"plc",
    r"gmbh",
    r"aktiengesellschaft",
    r"a\.\s*g",
    r"s\.\s*a",
    r"s\.\s*p\.\s*a",
    r"s\.\s*r\.\s*l",
    r"s\.\s*a\.\s*s",
    r"s\.\s*a\.\s*r\.\s*l",
    r"sarl",
    r"b\.\s*v",
    r"n\.\s*v",
    r"ltda",
    r"pte",
    r"pty",
)
# A token boundary: no Latin/Greek/Cyrillic letter, digit, hyphen or apostrophe next to it
# (so "co-op" and "o'connor" are words), and not inside a dotted initialism (so the "s.a."
# of "u.s.a." is not a designator, while "corp.ltd" still splits into two designators).
_WORD = r"0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff'\u2019\-"
_LATIN_DESIGNATOR = re.compile(
    rf"(?<![{_WORD}])(?<!^[{_WORD}]\.)(?<![^{_WORD}][{_WORD}]\.)"
    rf"(?:{'|'.join(sorted(_LATIN_DESIGNATORS, key=len, reverse=True))})\.?"
    rf"(?![{_WORD}])(?!\.[{_WORD}](?![{_WORD}]))"
)

# Everything that is not a letter or digit separates words (punctuation, symbols, spaces,
# the underscore). Combining marks that NFKC could not compose are dropped with them.
_SEPARATORS = re.compile(r"[\W_]+")


def _strip_designators(text: str) -> str:
    text = _JAPANESE_DESIGNATOR.sub(" ", text)
    return _LATIN_DESIGNATOR.sub(" ", text)


def ends_in_legal_form(text: str) -> bool:
    """Whether a Latin-script name ends with a legal form ("Ecograph LLC", "… Co. Ltd."), as
    `name_tokens` finds them: a name complete there."""
    folded = unicodedata.normalize("NFKC", text.casefold()).rstrip(" ,;")
    return any(m.end() == len(folded) for m in _LATIN_DESIGNATOR.finditer(folded))


def _words(text: str) -> str:
    return _SEPARATORS.sub(" ", text).strip()


@lru_cache(maxsize=1 << 17)
def name_tokens(text: str) -> str:
    """The normalised name with one space between its words (for word-set scorers).

    `normalize_name(x) == name_tokens(x).replace(" ", "")`. Cached: the registry compares the
    same candidate names again and again.
    """
    folded = unicodedata.normalize("NFKC", text.translate(_DROP_BEFORE_NFKC))
    folded = _fold_kana(unicodedata.normalize("NFKC", folded.casefold()))
    words = _words(_strip_designators(folded))
    # Only designators ("Company Limited", "株式会社"): keep them rather than match nothing.
    return words or _words(folded)


def address_tokens(text: str) -> str:
    """An address in the form two writings of it compare in: Unicode NFKC (full-width digits
    and dashes), case folded, punctuation and whitespace as one space between two Latin
    letters or digits ("1-1" is not "11") and as nothing elsewhere (Japanese addresses are
    written with or without spaces): "港町 3 - 1", "港町3-1" and "港町３－１" alike. Nothing
    is removed: an address has no legal form to set aside."""
    joined = ""
    for word in filter(None, _SEPARATORS.split(unicodedata.normalize("NFKC", text).casefold())):
        if joined and _latin_or_digit(joined[-1]) and _latin_or_digit(word[0]):
            joined += " "
        joined += word
    return joined


def _latin_or_digit(char: str) -> bool:
    return char.isascii() and char.isalnum()


class Normalisation(StrEnum):
    """A step of `name_tokens` that changed a name: what a match's explanation lists."""

    WIDTH_FOLDED = "width_folded"  # NFKC: full-width Latin and digits, half-width kana, ㈱
    CASE_FOLDED = "case_folded"
    KANA_FOLDED = "kana_folded"  # hiragana, small kana, a dash for ー
    LEGAL_FORM_REMOVED = "legal_form_removed"  # 株式会社, Co., Ltd., LLC, …
    PUNCTUATION_IGNORED = "punctuation_ignored"  # punctuation and symbols between words
    ACCENTS_FOLDED = "accents_folded"  # Latin diacritics (`fold_accents`: not in search)


# Latin letters NFKD does not decompose, written as forms without diacritics write them.
_PLAIN_LATIN = str.maketrans(
    {
        "ı": "i",
        "İ": "I",
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "đ": "d",
        "Đ": "D",
        "ə": "a",
        "Ə": "A",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
    }
)
# Latin-1 Supplement to IPA Extensions (ə), and Latin Extended Additional (Vietnamese).
_ACCENTED_LATIN = re.compile("[\u00c0-\u02af\u1e00-\u1eff]")


def fold_accents(text: str) -> str:
    """Latin letters without their diacritics (İnşaat → Insaat, Đoàn → Doan), as a bidder
    list typed without them writes a name; other scripts untouched (a kana's voiced mark is
    no accent). Not part of `name_tokens`: search keeps accents; screening and the importers'
    joins (`imports.resolution_forms`) fold them."""

    def plain(letter: re.Match[str]) -> str:
        decomposed = unicodedata.normalize("NFKD", letter.group().translate(_PLAIN_LATIN))
        return "".join(c for c in decomposed if not unicodedata.combining(c))

    return _ACCENTED_LATIN.sub(plain, text)


@lru_cache(maxsize=1 << 16)
def normalisations(text: str) -> frozenset[Normalisation]:
    """Which steps of `name_tokens` changed `text`, run as it runs them (so the explanation
    of a match cannot disagree with how the names were compared)."""
    applied: set[Normalisation] = set()
    folded = unicodedata.normalize("NFKC", text.translate(_DROP_BEFORE_NFKC))
    if folded != text:
        applied.add(Normalisation.WIDTH_FOLDED)
    cased = unicodedata.normalize("NFKC", folded.casefold())
    if cased != folded:
        applied.add(Normalisation.CASE_FOLDED)
    kana = _fold_kana(cased)
    if kana != cased:
        applied.add(Normalisation.KANA_FOLDED)
    words = _words(kana)
    without_forms = _words(_strip_designators(kana))
    if without_forms and without_forms != words:  # only designators: they are kept
        applied.add(Normalisation.LEGAL_FORM_REMOVED)
    if words != " ".join(kana.split()):
        applied.add(Normalisation.PUNCTUATION_IGNORED)
    return frozenset(applied)


def normalize_name(text: str) -> str:
    """The form in which two vendor names are compared; "" when it has no letter or digit.

    >>> normalize_name("ｶﾌﾞｼｷｶﾞｲｼｬﾋﾞｰｼﾞｮｳﾎｳｼｽﾃﾑ") == normalize_name("びーじょうほうしすてむ")
    True
    >>> normalize_name("B Information System Co., Ltd.")
    'binformationsystem'
    """
    return name_tokens(text).replace(" ", "")


class IdentifierKey(NamedTuple):
    """An identifier in the form it is matched exactly: (scheme, value)."""

    scheme: str
    value: str


def normalize_identifier(scheme: str, value: str) -> IdentifierKey:
    """The exact-match key of an identifier: scheme trimmed and lower-cased; value after NFKC
    (full-width digits and letters become ASCII) without spaces, hyphens or dashes, upper-cased
    (`events.identifier_forms.compact_identifier`: the form the event contract records a
    corporate number in, so what a lookup finds is what a registration records).

    "1234-5678-9012-3" and "１２３４ ５６７８ ９０１２ ３" give the same key. A corporate number
    and a DUNS number with the same digits do not: the scheme is part of the key.
    """
    key_scheme = unicodedata.normalize("NFKC", scheme).strip().casefold()
    if not key_scheme:
        raise ValueError("identifier scheme is empty: give one, e.g. corporate_number")
    key_value = compact_identifier(value)
    if not key_value:
        raise ValueError(f"identifier value for scheme {key_scheme!r} is empty")
    return IdentifierKey(key_scheme, key_value)
