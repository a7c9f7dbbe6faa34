"""What a bank's list says in words of how far a debarment reaches, read apart from the names
it is written beside (pure): "(BUT ONLY FOR ITS BUSINESS OPERATIONS IN THE WATER AND
SANITATION SECTOR)" in the World Bank's Additional Firm Info or the IDB's Title, "… and any
entity controlled directly or indirectly by …, which was established … on or before 31
December 2019" after a person's name in the EBRD's Firm Name. No field of ours says such words
as written: the sanction keeps them in its reason (`ListEntry.reach`) and the import tells
whoever runs it (`report_notes.note_reach`). Left in a name cell, they were the vendor's legal
name, which screening the person's name matched poorly.
"""

from __future__ import annotations

import re

from services.imports.entries import one_line

# A bracket saying how far the debarment reaches rather than naming the firm: "(BUT ONLY FOR
# ITS BUSINESS OPERATIONS IN THE WATER AND SANITATION SECTOR)", "(and all entities that it
# controls, except …)".
_BRACKETED = re.compile(
    r"\(\s*((?:but\s+)?only\b[^()]*|and all (?:entities|affiliates)\b[^()]*)\)", re.I
)
# The same words after the name, to the cell's end: "… and any entity controlled directly or
# indirectly by …", "… and all affiliates …", or the EBRD's "EGIS WATER AND MARITIME business
# operations in the Water and Sanitation Sector" (the IDB's bracket, its "but only for its"
# lost on the way).
_TRAILING = re.compile(
    r"[\s,;]+((?:and (?:any|all) (?:entit(?:y|ies)|affiliates?|subsidiar(?:y|ies))"
    r"|(?:but\s+)?(?:only\s+for\s+its\s+)?business operations in the)\b.*)$",
    re.I,
)


def reach(info: str) -> str | None:
    """What a cell of notes (the World Bank's "Additional Firm Info") says of the debarment's
    reach in brackets, in the list's words, or None."""
    return "; ".join(one_line(words) for words in _BRACKETED.findall(info)) or None


def without_reach(cell: str) -> tuple[str, str | None]:
    """A name cell without the words on the debarment's reach, and those words (None: it has
    none; the cell as it is when nothing but them would be left)."""
    words: list[str] = []

    def taken(match: re.Match[str]) -> str:
        words.append(one_line(match.group(1)))
        return " "

    rest = one_line(_TRAILING.sub(taken, _BRACKETED.sub(taken, cell))).strip(" ,;")
    if not words or not rest:
        return cell, None
    return rest, "; ".join(words)
