"""What the Japanese lists say beyond the banks' lists, and their entries as ordinary catalog
events (pure): `jp_suspension.py` (a municipality's 指名停止一覧) and `jp_meti.py` (METI's
list of barred entities) read rows into `JapaneseEntry`s; the importer sends these events.

An entry of a Japanese list may carry a corporate number (法人番号), an English name beside
the Japanese one, a scope (対象範囲: the procurement categories it applies to) and its kind
(a municipality's 指名停止 is a bid suspension, METI's list a debarment). Its events follow
`events.py` (deterministic uuid5 ids, a vendor per entity of the list, amendments of the last
day and lifts decided by `deltas.py`), with these differences:

- a vendor with a corporate number is `<source>:cn-<number>` and is registered with it as a
  `corporate_number` identifier: the same firm twice on the list (two suspensions, or its
  address written two ways) is one vendor, and it can be screened by its 法人番号; a vendor
  without one is `<source>:<slug>-<hash>` of its folded names and address (the English name
  gives the slug, Japanese names none);
- the sanction's grounds are policy ground codes read from the Japanese wording
  (`ground_codes`: 贈賄 → bribery, 談合 → bid_rigging, …; "unspecified" when none fits), the
  wording itself is the reason;
- the scope is the sanction's `categories` (None: every category); a changed 対象範囲 is a
  different sanction (the old one lifted, the new one imposed), since `deltas.py` compares
  last days only;
- a bid suspension's id names its body (措置機関): two bodies suspending one firm from one
  day for one case hold two suspensions, each lifted by its own body's list. Those recorded
  before, under the id without the body, keep it (`legacy_sanction_id`, planning.py).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from services.events.base import EventEnvelope
from services.events.sanction import SanctionKind
from services.events.vendor import (
    CORPORATE_NUMBER,
    VendorIdentifierRef,
    VendorRegistered,
    identifier_value,
)
from services.imports.entries import ListEntry
from services.imports.events import (
    EntryEvents,
    amendment,
    folded,
    id_key,
    imposition_events,
)

# The registry's longest name (ShortText); a longer one is cut at a word, ending with "…".
MAX_NAME = 300

# Wording of 措置理由 → ground codes (those of the example policy, where one fits); every
# code whose words occur is given, in this order.
_GROUND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("bribery", ("贈賄", "贈収賄")),
    ("bid_rigging", ("談合", "独占禁止法", "独禁法", "入札妨害", "公契約関係競売等妨害")),
    ("information_leakage", ("漏えい", "漏洩", "情報流出")),
    ("negligent_accident", ("事故",)),
    ("breach_of_contract", ("契約違反", "不履行", "粗雑工事", "粗雑")),
    ("dishonest_conduct", ("不正", "不誠実", "虚偽")),
    ("organized_crime_ties", ("暴力団", "反社会的勢力")),
    ("violation_of_law", ("法違反", "法令違反")),
    ("export_ban", ("輸出等に係る禁止措置", "輸出禁止")),
)


@dataclass(frozen=True)
class JapaneseEntry(ListEntry):
    """A `ListEntry` with what the Japanese lists add."""

    name_en: str | None
    corporate_number: str | None  # 13 ASCII digits, its check digit verified
    categories: tuple[str, ...] | None  # 対象範囲; None: every category


def plain(text: str) -> str:
    """Cell text after NFKC (full-width digits, letters and spaces become ASCII) on one line
    with single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def cut(name: str) -> str:
    """`name` within the registry's `MAX_NAME` characters, cut at a word when longer."""
    if len(name) <= MAX_NAME:
        return name
    head = name[: MAX_NAME - 1]
    return f"{head.rsplit(' ', 1)[0] if ' ' in head else head}…"


def corporate_number(written: str) -> str | None:
    """A 法人番号 as a list writes it (full-width digits, spaces or hyphens allowed) → its 13
    digits; None when the cell is empty. Raises ValueError when the registry would refuse it
    (not 13 digits, a wrong check digit: the message gives the right one)."""
    if not written.strip():
        return None
    return identifier_value(CORPORATE_NUMBER, written.strip())  # the catalog's own reading


def ground_codes(grounds: str) -> list[str]:
    """The policy ground codes a Japanese wording of grounds names; ["unspecified"] if none."""
    text = plain(grounds)
    codes = [code for code, words in _GROUND_WORDS if any(w in text for w in words)]
    return codes or ["unspecified"]


def vendor_id(entry: JapaneseEntry) -> str:
    if entry.corporate_number is not None:
        return f"{entry.source}:cn-{entry.corporate_number}"
    english = folded(entry.name_en or "").encode("ascii", "ignore").decode()
    slug = "-".join(re.findall(r"[a-z0-9]+", english))[:48].strip("-") or "entity"
    tail = id_key(folded(entry.name), folded(entry.name_en or ""), folded(entry.address))
    return f"{entry.source}:{slug}-{tail}"


def sanction_id(entry: JapaneseEntry) -> str:
    """The same for the same vendor's sanction from the same day on the same grounds and
    scope, whatever its last day (a newer list may move it); for a bid suspension, by the same
    body (措置機関) too: a city and its water bureau often suspend one firm on one day for one
    case, and each lifts its own."""
    if entry.kind is not SanctionKind.BID_SUSPENSION:  # METI's debarments: one body
        return legacy_sanction_id(entry)
    key = id_key(vendor_id(entry), entry.starts_on, entry.grounds, _scope(entry), entry.authority)
    return f"{entry.source}:{key}"


def legacy_sanction_id(entry: JapaneseEntry) -> str:
    """The id without the body, which bid suspensions were imported under before: a recorded
    one keeps it while its body lists it (planning.py), rather than being lifted and imposed
    again under the new id."""
    key = id_key(vendor_id(entry), entry.starts_on, entry.grounds, _scope(entry))
    return f"{entry.source}:{key}"


def _scope(entry: JapaneseEntry) -> str:
    return "\x1e".join(entry.categories) if entry.categories is not None else "*"


def amended(entry: JapaneseEntry, on: dt.date, sanction: str, changes: int) -> EventEnvelope:
    """The entry's sanction (`sanction`: its id) given the entry's last day, from `on` (the
    import's day); `changes`: as `events.amendment`."""
    return amendment(entry, on, sanction, vendor_id(entry), changes)


def entry_events(entry: JapaneseEntry, register: bool, sanction: str | None = None) -> EntryEvents:
    """The events of one entry (its vendor's registration when `register`; `sanction`: its
    sanction's id, by default `sanction_id`); raises ValueError saying which field when the
    catalog refuses what the row says."""

    def registration() -> VendorRegistered:
        names = (entry.name, entry.name_en)
        return VendorRegistered(
            legal_name=cut(entry.name),
            name_en=cut(entry.name_en) if entry.name_en else None,
            identifiers=[VendorIdentifierRef(scheme=CORPORATE_NUMBER, value=entry.corporate_number)]
            if entry.corporate_number
            else [],
            aliases=list(dict.fromkeys(cut(a) for a in entry.aliases if a not in names)),
            country=entry.country,
        )

    terms = {
        "kind": entry.kind,
        "grounds": ground_codes(entry.grounds),
        "reason": entry.grounds,
        "categories": list(entry.categories) if entry.categories is not None else None,
    }
    return imposition_events(
        entry,
        vendor_id(entry),
        sanction or sanction_id(entry),
        registration if register else None,
        terms,
    )
