"""A firm's other names as the banks' lists write them beside its own ("aka …", "formerly …",
"d/b/a …"), in a column of their own (the World Bank's Additional Firm Info) or inside the
name cell itself (pure).

The name cell is read into the firm's name and its other names: "ELMCREST GROUP LIMITED,
FORMERLY KNOWN AS LANDMARC LIMITED" is ELMCREST GROUP LIMITED, with LANDMARC LIMITED as an
alias (a former name is an alias too: screening and search match both), and a cell that is
only "A.K.A. INDRALAL GUNATHILAKE" names INDRALAL GUNATHILAKE. Taken as written, such a cell
was the vendor's legal name, its id's slug (`worldbank:a-k-a-indralal-…`), and no name the
firm is called.
"""

from __future__ import annotations

import re

from services.imports.entries import one_line
from services.registry.domain.names import ends_in_legal_form

# How the lists introduce another name ("(aka X)", "(f.k.a X)", "(formerly operating as:
# X)", "(also d/b/a X)", "(CURRENTLY D/B/A X)", "may also be doing business as X", …).
# Longer forms first: "formerly" alone comes after "formerly known as".
_FORMS = (
    r"a\.?k\.?a\.?|also known as|f/k/a|f\.k\.a\.?|formerly known as|formerly operating as:?"
    r"|formerly|now known as|previously known as|currently known as|d/b/a|d\.b\.a\.?|dba"
    r"|doing business (?:as|under)"
)
_QUALIFIED = r"(?:(?:currently|may)\s+)?(?:also\s+)?(?:be\s+)?"
# Any of them, and a bare "also" ("(also X)", ", also X"), which only a column of other
# names uses so: in a name cell "also" may be a word of the name.
DESIGNATOR = rf"{_QUALIFIED}(?:{_FORMS}|also)"
# In round brackets, or square ones ("[f.k.a. X]"); a bracket the list left open at the end
# of the cell ("… (ALSO KNOWN AS XCCG LOGISTICS CO., LTD.") closes there.
_BRACKETED = re.compile(
    rf"\(\s*{DESIGNATOR}\s+([^()]+?)\s*(?:\)|$)|\[\s*{DESIGNATOR}\s+([^\[\]]+?)\s*(?:\]|$)", re.I
)
# Outside brackets, after the firm's name (", FORMERLY KNOWN AS X", " A.K.A. X", " aka X"):
# a word of its own, not the start of one ("DBAS LTD").
_INLINE = re.compile(rf"(?<![^\s,;]){_QUALIFIED}(?:{_FORMS})(?=\s)", re.I)
# These alone may be words of a name ("HOTEL AKA TOKYO LTD", "DBA SOLUTIONS", "FORMERLY
# YOURS LTD"): they introduce another name only after a comma or semicolon ("…, aka X") or
# after the legal form that ends the firm's name ("Ecograph LLC aka Ecography Company",
# "Pyramind E&C Co. Ltd. Formerly PMA …"), never at the start of the cell. Dotted, slashed or
# several words ("A.K.A.", "f/k/a", "formerly known as", "also dba") introduce one anywhere.
_BARE = frozenset({"aka", "dba", "formerly"})
_QUOTES = " ,;:'\"‘’“”[]"  # and a bracket within ("(f.k.a [X])")


def named(text: str) -> tuple[str, ...]:
    """The names in a designated part, each once: "X; also d.b.a. Y" is X and Y."""
    name, others = split_name(text)
    return tuple(n for n in dict.fromkeys((name, *others)) if n)


def bracketed(text: str) -> tuple[str, list[str]]:
    """The text without its designated brackets, and the names they give; not a bracket of
    prose ("(also a …)"), which no firm is called."""
    others: list[str] = []

    def taken(match: re.Match[str]) -> str:
        inside = one_line(match.group(1) or match.group(2)).strip(_QUOTES)
        if inside[:1].islower():
            return match.group(0)
        others.extend(named(inside))
        return " "

    return one_line(_BRACKETED.sub(taken, text)), others


def _introduces(found: re.Match[str], text: str) -> bool:
    """Whether a designator `_INLINE` found in `text` introduces another name (`_BARE`)."""
    if found.group(0).casefold() not in _BARE:
        return True
    before = text[: found.start()].rstrip()
    return before[-1:] in (",", ";") or (bool(before) and ends_in_legal_form(before))


def split_name(cell: str) -> tuple[str, tuple[str, ...]]:
    """The firm's name and its other names, from a name cell as a list writes it; the cell
    as it is when no other name is in it (or nothing but the designator would be left)."""
    text = one_line(cell)
    rest, others = bracketed(text)
    found = next((f for f in _INLINE.finditer(rest) if _introduces(f, rest)), None)
    if found is None and not others:
        return text, ()  # quotes and all: “INTERYER INŞAAT” MƏHDUD … is how the list names it
    if found is not None:
        after = named(rest[found.end() :].strip(_QUOTES))
        rest, others = rest[: found.start()], [*after, *others]
    name = rest.strip(_QUOTES)
    if not name and others:  # only "A.K.A. X": X is the name
        name, others = others[0], others[1:]
    name = name or text
    return name, tuple(n for n in dict.fromkeys(others) if n and n != name)
