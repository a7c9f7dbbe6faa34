"""The labelled name pairs of tests/data/screening/name_pairs.csv, built from the real
debarment lists in tests/data/lists/ (deterministically: the same lists give the same file).

Run `python -m tests.support.name_pairs` to write the file again; a unit test
(tests/unit/test_name_matching_quality.py) checks that the file is what this module builds,
then measures the screening's precision and recall on it. How each kind is made, and why it is
labelled as it is, is in tests/data/screening/PROVENANCE.md.

A pair is a bidder's name (and country) against a listed entity: its name and other names
and country, as the registry holds an imported entry (legal name and aliases).
"""

from __future__ import annotations

import csv
import itertools
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from rapidfuzz import fuzz, process

from services.imports.entries import ListEntry
from services.imports.lists import ebrd, idb, worldbank
from services.imports.resolution import resolution_form
from services.registry.domain.names import name_tokens

LISTS = Path(__file__).parents[1] / "data" / "lists"
PAIRS = Path(__file__).parents[1] / "data" / "screening" / "name_pairs.csv"
COLUMNS = (
    "pair_id",
    "kind",
    "same_firm",
    "bidder_name",
    "bidder_country",
    "listed_name",
    "listed_other_names",
    "listed_country",
    "source",
)
# How many pairs of each kind (at most: fewer when the lists hold fewer).
SIZES = {
    "aka": 40,
    "legal_form": 60,
    "transliteration": 50,
    "typo": 60,
    "cross_list": 40,
    "similar_name": 80,
    "other_country": 50,
}
POSITIVE_KINDS = ("aka", "legal_form", "transliteration", "typo", "cross_list")


@dataclass(frozen=True)
class Pair:
    pair_id: str
    kind: str
    same_firm: bool
    bidder_name: str
    bidder_country: str
    listed_name: str
    listed_other_names: tuple[str, ...]
    listed_country: str
    source: str  # list:line of the listed entity (and of the bidder's, for list pairs)


def entries() -> list[ListEntry]:
    """Every readable entry of the World Bank's, the IDB's and the EBRD's lists, in file order."""
    found: list[ListEntry] = []
    for reader, file in (
        (worldbank.entries, "worldbank_debarred_firms_individuals.csv"),
        (idb.entries, "iadb_sanctioned_firms_individuals.csv"),
        (ebrd.entries, "ebrd_ineligible_entities.csv"),
    ):
        with (LISTS / file).open(encoding="utf-8-sig", newline="") as stream:
            found += [e for e in reader(stream) if isinstance(e, ListEntry)]
    return found


def _seed(text: str) -> int:
    return zlib.crc32(text.encode())


def _where(entry: ListEntry) -> str:
    return f"{entry.source}:{entry.line}"


def _listed(
    pair_id: str, kind: str, same: bool, bidder: str, country: str, entry: ListEntry, src: str
) -> Pair:
    return Pair(
        pair_id, kind, same, bidder, country, entry.name, entry.aliases, entry.country or "", src
    )


# Legal forms as lists and bidders spell them, each with another spelling of the same form.
_FORMS = (
    (r"\bCO\.,? LTD\.?", "Company Limited"),
    (r"\bCo\.,? Ltd\.?", "Co Ltd"),
    (r"\bCOMPANY LIMITED\b", "Co., Ltd."),
    (r"\bLIMITED\b", "Ltd"),
    (r"\bLTD\.?", "Limited"),
    (r"\bLimited\b", "Ltd."),
    (r"\bLtd\.?", "Limited"),
    (r"\bL\.?L\.?C\.?", "Limited Liability Company"),
    (r"\bLLC\b", "L.L.C."),
    (r"\bS\.A\.", "S.A.S."),
    (r"\bS\.A\.R\.L\.?", "SARL"),
    (r"\bINC\.?", "Incorporated"),
    (r"\bCORPORATION\b", "Corp."),
    (r"\bCorporation\b", "Corp"),
    (r"\bGmbH\b", ""),
)
_CHINESE_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "公司")


def legal_form_variant(name: str) -> str | None:
    """The name with its legal form written another way (or dropped); None without one."""
    for pattern, other in _FORMS:
        changed, n = re.subn(pattern, other, name, count=1)
        if n:
            return " ".join(changed.split())
    for form in _CHINESE_FORMS:
        if name.endswith(form) and len(name) > len(form) + 2:
            return name[: -len(form)]
    return None


_ASCII = str.maketrans(
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
        "œ": "oe",
    }
)


def transliterated(name: str) -> str:
    """The name in plain ASCII letters, as a form without diacritics writes it (Inşaat →
    Insaat, Técnicos → Tecnicos, Məhdud → Mahdud)."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_ASCII))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_NEIGHBOURS = "qwertyuiopasdfghjklzxcvbnm"


def typo(name: str, how_many: int) -> str:
    """The name with `how_many` typing mistakes (a letter dropped, doubled, swapped with the
    next, or replaced by a neighbour on the keyboard row), at positions chosen from a seed
    of the name: the same name always gets the same typos."""
    chars = list(name)
    seed = _seed(name)
    for n in range(how_many):
        letters = [i for i, c in enumerate(chars) if c.isalpha()]
        at = letters[(seed >> (3 * n)) % len(letters)]
        kind = (seed >> (8 + 2 * n)) % 4
        if kind == 0:
            del chars[at]
        elif kind == 1:
            chars.insert(at, chars[at])
        elif kind == 2 and at + 1 < len(chars):
            chars[at], chars[at + 1] = chars[at + 1], chars[at]
        else:
            lower = chars[at].lower()
            row = _NEIGHBOURS.find(lower)
            other = _NEIGHBOURS[(row + 1) % len(_NEIGHBOURS)] if row >= 0 else "x"
            chars[at] = other.upper() if chars[at].isupper() else other
    return "".join(chars)


def _usable_alias(alias: str) -> bool:
    """An other name that names the firm (the lists also put addresses, registration
    numbers and footnote remnants there)."""
    lowered = alias.casefold()
    return (
        len(name_tokens(alias)) >= 4
        and ":" not in alias
        and not alias.startswith("(")
        and not re.match(r"(and|reg|currently)\b", lowered)
    )


def _firms(found: Sequence[ListEntry]) -> list[ListEntry]:
    return [e for e in found if e.country and len(name_tokens(e.name)) >= 6]


def _take(kind: str, made: Iterator[Pair]) -> list[Pair]:
    return list(itertools.islice(made, SIZES[kind]))


def _aka(found: Sequence[ListEntry]) -> Iterator[Pair]:
    for e in found:
        for alias in filter(_usable_alias, e.aliases):
            bidder = legal_form_variant(alias) or alias.upper()
            yield _listed("", "aka", True, bidder, e.country or "", e, _where(e))


def _one_name(kind: str, vary: Callable[[ListEntry], str | None]) -> Callable[..., Iterator[Pair]]:
    def made(found: Sequence[ListEntry]) -> Iterator[Pair]:
        for e in found:
            bidder = vary(e)
            if bidder and bidder != e.name:
                # The entity as listed by its own name only: the variant must match it.
                alone = ListEntry(**{**e.__dict__, "aliases": ()})
                yield _listed("", kind, True, bidder, e.country or "", alone, _where(e))

    return made


def _cross_list(found: Sequence[ListEntry]) -> Iterator[Pair]:
    """One firm on two banks' lists (the same name once normalised, the same country: the
    importer's rule for joining them), written differently."""
    first: dict[tuple[str, str], ListEntry] = {}
    for e in found:
        key = (resolution_form(e.name), e.country or "")
        seen = first.get(key)
        if seen is None:
            first[key] = e
        elif seen.source != e.source and seen.name != e.name and e.country:
            yield _listed(
                "", "cross_list", True, e.name, e.country, seen, f"{_where(seen)} {_where(e)}"
            )


def _similar(found: Sequence[ListEntry], same_country: bool) -> Iterator[Pair]:
    """Two entities of one list whose names are close (ratio of the compact forms 80 or
    more) but differ once normalised and their accents folded (one firm listed twice, in
    two spellings, is not a negative): the list holds them as two entities. Taken evenly
    over the range of similarity, not only the closest (which are one family of branches)."""
    by_source: dict[str, list[ListEntry]] = {}
    for e in found:
        by_source.setdefault(e.source, []).append(e)
    scored: list[tuple[float, ListEntry, ListEntry]] = []
    for group in by_source.values():
        forms = [_plain(e.name) for e in group]
        matrix = process.cdist(forms, forms, scorer=fuzz.ratio, score_cutoff=80, workers=1)
        for i, j in zip(*matrix.nonzero(), strict=True):
            a, b = group[i], group[j]
            if i < j and forms[i] != forms[j] and (a.country == b.country) == same_country:
                scored.append((float(matrix[i, j]), a, b))
    scored.sort(key=lambda s: (-s[0], _where(s[1]), _where(s[2])))
    # Each entity once, and each two names once (several lists hold the same two firms).
    used: set[str] = set()
    kept: list[tuple[ListEntry, ListEntry]] = []
    for _, a, b in scored:
        names = "|".join(sorted((_plain(a.name), _plain(b.name))))
        if not {_where(a), _where(b), names} & used:
            used.update((_where(a), _where(b), names))
            kept.append((a, b))
    kind = "similar_name" if same_country else "other_country"
    stride = max(1, len(kept) // SIZES[kind])
    for a, b in kept[::stride]:
        yield _listed("", kind, False, a.name, a.country or "", b, f"{_where(b)} {_where(a)}")


def _plain(name: str) -> str:
    return resolution_form(name)  # accents folded, as the importer's joins fold them


def build() -> list[Pair]:
    """Every pair, kind by kind, numbered."""
    found = entries()
    firms = _firms(found)
    with_accents = [e for e in firms if transliterated(e.name) != e.name]
    made = {
        "aka": _aka(found),
        "legal_form": _one_name("legal_form", lambda e: legal_form_variant(e.name))(firms),
        "transliteration": _one_name("transliteration", lambda e: transliterated(e.name))(
            with_accents
        ),
        # Every 7th firm, so that the typos fall on other firms than the legal forms'.
        "typo": _one_name("typo", lambda e: typo(e.name, 1 + len(e.name) // 30))(firms[3::7]),
        "cross_list": _cross_list(found),
        "similar_name": _similar(found, same_country=True),
        "other_country": _similar(found, same_country=False),
    }
    pairs: list[Pair] = []
    for kind in SIZES:
        for n, pair in enumerate(_take(kind, made[kind]), 1):
            pairs.append(_numbered(pair, f"{kind}-{n:03d}"))
    return pairs


def _numbered(pair: Pair, pair_id: str) -> Pair:
    return Pair(pair_id, *list(pair.__dict__.values())[1:])


def write(pairs: Sequence[Pair], stream: TextIO) -> None:
    out = csv.writer(stream, lineterminator="\n")
    out.writerow(COLUMNS)
    for p in pairs:
        out.writerow(
            [
                p.pair_id,
                p.kind,
                "yes" if p.same_firm else "no",
                p.bidder_name,
                p.bidder_country,
                p.listed_name,
                " | ".join(p.listed_other_names),
                p.listed_country,
                p.source,
            ]
        )


def read(stream: TextIO) -> list[Pair]:
    rows = csv.DictReader(stream)
    return [
        Pair(
            r["pair_id"],
            r["kind"],
            r["same_firm"] == "yes",
            r["bidder_name"],
            r["bidder_country"],
            r["listed_name"],
            tuple(n for n in r["listed_other_names"].split(" | ") if n),
            r["listed_country"],
            r["source"],
        )
        for r in rows
    ]


if __name__ == "__main__":
    with PAIRS.open("w", encoding="utf-8", newline="") as out:
        write(build(), out)
