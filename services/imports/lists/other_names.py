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

# How the lists introduce another name ("(aka X)", "(f.k.a X)", "(FKA X)", "(formerly operating as:
# X)", "(also d/b/a X)", "(CURRENTLY D/B/A X)", "may also be doing business as X", …).
# Longer forms first: "formerly" alone comes after "formerly known as".
_FORMS = (
    r"a\.?k\.?a\.?|also known as|f/k/a|f\.?k\.?a\.?|formerly known as|formerly operating as:?"
    r"|formerly|now known as|previously known as|currently known as|d/b/a|d\.b\.a\.?|dba"
    r"|doing business (?:as|under)"
)
_QUALIFIED = r"(?:(?:currently|may)\s+)?(?:also\s+)?(?:be\s+)?"
# Any of them, and a bare "also" ("(also X)", ", also X"), which only a column of other
# names uses so: in a name cell "also" may be a word of the name.
DESIGNATOR = rf"{_QUALIFIED}(?:{_FORMS}|also)"
# A bracketed part that another name follows: "aka X" in "(aka X)" or "[f.k.a. X]".
_DESIGNATED = re.compile(rf"\s*{DESIGNATOR}\s+(.+?)\s*$", re.I | re.S)
_CLOSING = {"(": ")", "[": "]"}
# Outside brackets, after the firm's name (", FORMERLY KNOWN AS X", " A.K.A. X", " aka X"):
# a word of its own, not the start of one ("DBAS LTD").
_INLINE = re.compile(rf"(?<![^\s,;]){_QUALIFIED}(?:{_FORMS})(?=\s)", re.I)
# These alone may be words of a name ("HOTEL AKA TOKYO LTD", "DBA SOLUTIONS", "FORMERLY
# YOURS LTD"): they introduce another name only after a comma or semicolon ("…, aka X") or
# after the legal form that ends the firm's name ("Ecograph LLC aka Ecography Company",
# "Pyramind E&C Co. Ltd. Formerly PMA …"), never at the start of the cell. Dotted, slashed or
# several words ("A.K.A.", "f/k/a", "formerly known as", "also dba") introduce one anywhere.
_BARE = frozenset({"aka", "fka", "dba", "formerly"})
_QUOTES = " ,;:'\"‘’“”[]"  # and a bracket within ("(f.k.a [X])")


def segments(text: str) -> list[tuple[str, str]]:
    """The text's parts at the top level, each as (its opening bracket or "", its text): a
    bracket keeps the brackets inside it ("(河南省地矿建设工程(集团)有限公司)", "(AKA X (PVT)
    LTD)"), and one the list left open at the end of the cell ("… (ALSO KNOWN AS XCCG
    LOGISTICS CO., LTD.") closes there; a closing bracket with none open is text."""
    parts: list[tuple[str, str]] = []
    opened, start, depth = "", 0, 0
    for at, char in enumerate(text):
        if not opened and char in _CLOSING:
            if at > start:
                parts.append(("", text[start:at]))
            opened, start, depth = char, at + 1, 1
        elif opened and char == opened:
            depth += 1
        elif opened and char == _CLOSING[opened]:
            depth -= 1
            if not depth:
                parts.append((opened, text[start:at]))
                opened, start = "", at + 1
    if start < len(text):
        parts.append((opened, text[start:]))
    return parts


def written(opening: str, inside: str) -> str:
    """A part as the text wrote it, its brackets around it."""
    return f"{opening}{inside}{_CLOSING[opening]}" if opening else inside


def listed(text: str) -> tuple[str, ...]:
    """The names a designator introduces, where its wording lists several: "X or Y" (the
    World Bank's "Laxmi Narayan Construction or Laxminarayan Construction"), "X and Y" where
    the "and" is written in lowercase between names in capitals ("LAXMINARAYAN MALLICK and
    Laxminarayan Construction": in a name in capitals it is "AND", so "Smith and Sons" and
    "Enterprise Systems and Solutions Group" stay whole), and "X, Y, Z" of three names or
    more, none of them a legal form alone ("Groupe Systèmes…, ESS Group, Enterprise Systems
    and Solutions Group"; "X Co., Ltd." and "Lotte Innovate Company, Limited" stay whole)."""
    parts = [p.strip() for p in _OR.split(text)]
    parts = [n.strip() for p in parts for n in _and_split(p)]
    return tuple(n for p in parts for n in _comma_split(p) if n)


_OR = re.compile(r"\s+or\s+")
_AND = re.compile(r"\s+and\s+")


def _and_split(text: str) -> list[str]:
    names, start = [], 0
    for found in _AND.finditer(text):
        before, after = text[start : found.start()], text[found.end() :]
        if _in_capitals(before) or _in_capitals(after.split(" and ")[0]):
            names.append(before)
            start = found.end()
    return [*names, text[start:]]


def _in_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _comma_split(text: str) -> list[str]:
    parts = [p.strip() for p in text.split(",")]
    bare = any(len(p.split()) <= 2 and ends_in_legal_form(p) for p in parts)
    return parts if len(parts) >= 3 and not bare else [text]


def named(text: str) -> tuple[str, ...]:
    """The names in a designated part, each once: "X; also d.b.a. Y" is X and Y, "X or Y" X
    and Y (`listed`)."""
    name, others = split_name(text)
    found = (n for part in (name, *others) for n in listed(part))
    return tuple(n for n in dict.fromkeys(found) if n)


def bracketed(text: str) -> tuple[str, list[str]]:
    """The text without its designated brackets, and the names they give; not a bracket of
    prose ("(also a …)"), which no firm is called. A name keeps the brackets within it ("(AKA
    LONESTAR SUPPLIES AND LOGISTICS (PVT) LTD)")."""
    others: list[str] = []
    kept: list[str] = []
    for opening, inside in segments(text):
        designated = _DESIGNATED.fullmatch(inside) if opening else None
        name = one_line(designated.group(1)).strip(_QUOTES) if designated else ""
        if designated is None or name[:1].islower():
            kept.append(written(opening, inside))
        else:
            others.extend(named(name))
            kept.append(" ")
    return one_line("".join(kept)), others


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
