"""The resolution form of a name (pure): the compact form entity resolution joins names by
(`resolution.py`'s docstring, rule 3): the registry's normalisation (`names.name_tokens`) of
the name with its Latin accents folded (`names.fold_accents`), as bidder screening compares
names, then its honorific and a bracketed short name of its own words set aside."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from services.registry.domain.names import fold_accents, name_tokens

__all__ = ["resolution_form"]

# Honorifics before a person's name, as name_tokens writes them (dots and case gone).
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "ir", "eng", "engr", "prof", "sr", "sra"})
_BRACKETED = re.compile(r"\(([^()]*)\)")


def _in_words(word: str, words: Sequence[str]) -> bool:
    """`word` is one of `words`, or the initials of some of them in a row ("sbd")."""
    if word in words:
        return True
    initials = "".join(w[0] for w in words)
    return len(word) > 1 and word in initials


# A row's names are formed a few times on its way (resolved, then recorded); the known
# vendors' forms are kept with their names (scratch_vendors.py). A small cache, so that the
# import's memory does not grow with the list's names.
@lru_cache(maxsize=4096)
def resolution_form(name: str) -> str:
    """The compact form names are joined by; "" for a name of no letter."""
    # Accents folded as screening folds them: the lists write one person "RENÉ" and "Rene",
    # "Efraín" and "EFRAIN" (other scripts untouched: a kana's voiced mark is no accent).
    name = fold_accents(name)
    rest = _BRACKETED.sub(" ", name)
    rest_words = name_tokens(rest).split()
    kept = name
    for inner in _BRACKETED.findall(name):
        words = name_tokens(inner).split()
        if rest_words and words and all(_in_words(w, rest_words) for w in words):
            kept = kept.replace(f"({inner})", " ")
    tokens = name_tokens(kept).split()
    while len(tokens) > 1 and tokens[0] in _TITLES:
        tokens = tokens[1:]
    return "".join(tokens)
