"""Why a bidder's name matched a barred vendor, in words a procurement officer reads (pure)."""

from __future__ import annotations

from services.platform.wording import quoted
from services.registry.bidder_screening.model import NameMatch
from services.registry.domain.names import Normalisation
from services.registry.name_search.search import NameKind

STEPS = {
    Normalisation.WIDTH_FOLDED: "full-width and half-width forms folded",
    Normalisation.CASE_FOLDED: "case ignored",
    Normalisation.KANA_FOLDED: "kana folded",
    Normalisation.LEGAL_FORM_REMOVED: "legal form removed",
    Normalisation.PUNCTUATION_IGNORED: "punctuation ignored",
    Normalisation.ACCENTS_FOLDED: "accents folded",
}
_NAMES = {
    NameKind.LEGAL: "legal name",
    NameKind.KANA: "kana reading",
    NameKind.ENGLISH: "English name",
    NameKind.FORMER: "former name",
    NameKind.ALIAS: "other name (alias)",
    NameKind.IDENTIFIER: "identifier",
}


def why(match: NameMatch, bidder_country: str | None) -> str:
    """One sentence: the score, which of the vendor's names, the normalisations that made
    the names comparable, how the words compared, and the countries."""
    name = match.matched
    said = [f"scores {name.score:g} against its {_NAMES[name.kind]} {quoted(name.name)}"]
    steps = [STEPS[step] for step in Normalisation if step in name.normalisations]
    if steps:
        said.append(", ".join(steps))
    if match.word_match:
        said.append("words compared as a set or in part (order, extra or missing words)")
    if bidder_country and match.country:
        same = bidder_country == match.country
        said.append(f"same country {bidder_country}" if same else f"other country {match.country}")
    return "; ".join(said)
