"""METI's list of Russian entities barred from exports (輸出等に係る禁止措置の対象となるロシア
連邦の団体, 令和四年外務省告示第八十二号), as a CSV of its entries: a list of barred entities.

METI publishes the list as a PDF only; the CSV this reads has one row per entry, with the
columns list_title (the list's title), designation_date and last_updated (the list header's
dates, printed with stray spaces: `2022 年03月01 日`), entry_no, name_ja (the Japanese name,
often with its other names as （別称、A、B及びC）), name_en (the English name, often followed
by ", a.k.a., the following two aliases: -A; and -B."), address and source_pdf.

Each entry is a debarment by METI from the designation date until lifted (the list gives no
end, and no date per entry): the vendor's legal name is the Japanese name, its English name
the English one, the other names of both its aliases, its country Russia (RU: the list is of
Russian entities). A row without one of the two names is refused: the vendor's id holds
both, so read without one it was another vendor. The list title is the reason. Two
extraction glitches of the PDF's text are repaired: a Japanese name cut inside its brackets,
the rest at the head of the English name (entries 17 and 73); an English name glued onto
the Japanese one after its closing bracket (entry 71). A name longer than the registry's 300
characters (entry 23's English one) is cut at a word.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import TextIO

from services.events.sanction import SanctionKind
from services.imports.csv_rows import rows
from services.imports.entries import RowProblem, read_day
from services.imports.lists.japanese import JapaneseEntry, plain
from services.registry.domain.era_dates import parse_date

SOURCE = "jp_meti"
AUTHORITY = "経済産業省 (METI)"
# The columns an entry's identity and period are read from: a file without one of them
# (another export, a renamed header, an empty file) is not the list, and read as one it
# would lift every entry and impose each anew: the vendor's id holds the address, the
# sanction's the list's title (its grounds).
COLUMNS = ("list_title", "designation_date", "name_ja", "name_en", "address")
# The list names every entry in both scripts (all 75 rows of the real file), and an entry's
# vendor id holds both names: a row read without one was another vendor, so the recorded
# debarment under both names was lifted and a new vendor barred anew.
_NAMELESS = (
    "empty (the list names every entry in Japanese and in English; its vendor's id holds both)"
)
# "X, a.k.a., the following two aliases: -A; and -B." (also "a.k.a. the follow three aliases:")
_AKA = re.compile(
    r",?\s*a\.k\.a\.?,?\s*(?:the\s+follow(?:ing)?\s+\w+\s+alias(?:es)?\s*:?)?\s*", re.I
)
# Where the other names begin; the bracket closes where its own brackets are closed.
_OTHER_NAMES = "（別称、"
_AND = "及び"
# Japanese script: kana, CJK ideographs, full-width forms and CJK punctuation.
_JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")


def _day(text: str) -> dt.date:
    """`2022 年03月01 日` → 2022-03-01 (spaces set aside, then an ISO date)."""
    digits = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", re.sub(r"\s+", "", plain(text)))
    if digits is None:
        return parse_date(text)  # an era date, or its error
    year, month, day = (int(d) for d in digits.groups())
    return dt.date(year, month, day)


def repaired(name_ja: str, name_en: str) -> tuple[str, str]:
    """The Japanese and English names, with the PDF extraction's split put right."""
    ja, en = name_ja.strip(), name_en.strip()
    if ja.count("（") > ja.count("）") and "）" in en:  # cut inside its brackets
        rest, _, english = en.partition("）")
        return f"{ja} {rest.strip()}）", english.strip()
    head, bracket, tail = ja.rpartition("）")
    if bracket and tail.strip() and not _JAPANESE.search(tail):  # English glued on
        return f"{head}）", f"{tail.strip()} {en}".strip()
    return ja, en


def japanese_names(name: str) -> tuple[str, tuple[str, ...]]:
    """`名（別称、A、B及びC）` → (`名`, (A, B, C)); brackets within the names kept whole:
    `電子機械・情報システム（ELVIS）（別称、株式会社研究開発センター・エルヴィス（ELVEES）及び
    科学生産センター・エルヴィス）` (entry 60) is read apart at its own 、 and 及び only."""
    start = name.find(_OTHER_NAMES)
    listed, end = _top_level(name, start + len(_OTHER_NAMES)) if start >= 0 else ([], None)
    if end is None:  # none, or a bracket that never closes: no list of names the list gave
        return plain(name), ()
    others = tuple(plain(n) for n in listed if n.strip())
    return plain(name[:start] + name[end + 1 :]) or plain(name), others


def _top_level(text: str, at: int) -> tuple[list[str], int | None]:
    """The names in the bracket opened before `at`, cut at its own 、 and 及び (not those
    within a bracket inside it), and where it closes (None: it does not)."""
    parts: list[str] = []
    depth, start, n = 0, at, at
    while n < len(text):
        if text[n] == "（":
            depth += 1
        elif text[n] == "）" and depth:
            depth -= 1
        elif text[n] == "）":
            return [*parts, text[start:n]], n
        elif not depth and text.startswith(_AND, n):
            parts.append(text[start:n])
            start = n + len(_AND)
        elif not depth and text[n] == "、":
            parts.append(text[start:n])
            start = n + 1
        n += 1
    return [], None


def english_names(name: str) -> tuple[str, tuple[str, ...]]:
    """`X, a.k.a., the following two aliases: -A; and -B.` → (`X`, (A, B))."""
    main, *rest = _AKA.split(name, maxsplit=1)
    others = []
    for part in rest[0].split(";") if rest else []:
        other = re.sub(r"^(?:and\s*)?-\s*", "", part.strip()).strip()
        if other:
            others.append(other)
    if others and others[-1].endswith("."):
        others[-1] = others[-1][:-1]
    return plain(main), tuple(plain(o) for o in others)


def entries(stream: TextIO) -> Iterator[JapaneseEntry | RowProblem]:
    for read in rows(stream, COLUMNS):
        if isinstance(read, RowProblem):
            yield read
            continue
        line, row = read
        try:
            starts_on = read_day("first day", row.get("designation_date", "").strip(), _day)
        except ValueError as error:
            yield RowProblem(line, f"designation_date: {error}")
            continue
        ja, en = repaired(row.get("name_ja", ""), row.get("name_en", ""))
        name, ja_others = japanese_names(ja)
        name_en, en_others = english_names(en)
        if empty := [
            column for column, named in (("name_ja", name), ("name_en", name_en)) if not named
        ]:
            yield RowProblem(line, f"{', '.join(empty)}: {_NAMELESS}")
            continue
        title = plain(row.get("list_title", "")) or "METI list of barred entities"
        yield JapaneseEntry(
            source=SOURCE,
            line=line,
            name=name,
            aliases=tuple(dict.fromkeys((*ja_others, *en_others))),
            address=plain(row.get("address", "")),
            country="RU",
            starts_on=starts_on,
            last_day=None,
            grounds=title,
            authority=AUTHORITY,
            name_en=name_en,
            corporate_number=None,
            categories=None,
            kind=SanctionKind.DEBARMENT,
        )
