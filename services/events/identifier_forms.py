"""How people write an identifier, and the one form every part of the system reads it in (pure).

A corporate number (法人番号) is printed 1-2345-6789-0123, typed with a Japanese IME in
full-width digits (１２３４…), grouped by spaces, or with ー where a hyphen was meant; an LEI
is printed in groups of four. `compact_identifier` reads them all alike, and it is the only
reading: the event contract stores a corporate number and an LEI in that form
(`events/vendor.py`), and the registry's lookups match every identifier by it
(`registry/domain/names.normalize_identifier`), so a number a lookup finds is a number a
registration records, and the other way round.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["DASHES", "compact_identifier"]

# What people type for a hyphen or for the long vowel mark ー, as a regex class body: hyphens,
# dashes and minus signs, ー itself and its half-width form, and the box-drawing lines IMEs
# offer for either. Set aside in identifiers here; read as ー after kana in names
# (`registry/domain/names.py`).
DASHES = r"\-" "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2500\u2501\u30fc\uff0d\uff70"

_SEPARATORS = re.compile(rf"[\s{DASHES}]+")


def compact_identifier(value: str) -> str:
    """`value` after Unicode NFKC (full-width digits and letters become ASCII), without
    whitespace, hyphens or dashes, upper-cased: "１２３４－５６７８ ９０１２ ３" and
    "1234-5678-9012-3" are both "1234567890123"."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()
