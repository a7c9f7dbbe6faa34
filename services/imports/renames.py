"""Entries whose name changed between two files of a list (pure).

An entry's ids hold its name (events.py), so a firm the newer file names otherwise reads as a
new entry, and its recorded sanction as gone. It is the same debarment when the file no longer
lists exactly one recorded sanction of the same list from the same first day, on the same
grounds, for a vendor of the same country, and no other new entry could be it: then the vendor
is renamed (or, when another list's vendor holds the sanction, gains the new name as an alias)
instead of one sanction lifted and another imposed. Whether a recorded sanction is still
listed is known only at the end of the file, so such entries wait until then (few: a file
imported again has every entry recorded, a first import none).

The banks' lists only (`ListEntry` itself): a Japanese entry with a corporate number keeps its
ids whatever its name, and an exported one carries its vendor's id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from services.imports.deltas import RecordedSanction
from services.imports.entries import ListEntry

_Terms = tuple[dt.date, str, str | None]  # first day, grounds, country


def _terms(item: ListEntry) -> _Terms:
    return item.starts_on, item.grounds.strip(), item.country


@dataclass
class Renames:
    """The recorded sanctions an entry new to the list may be, and the entries waiting."""

    by_terms: dict[_Terms, list[str]] = field(default_factory=dict)
    waiting: list[ListEntry] = field(default_factory=list)

    @classmethod
    def of(
        cls, sanctions: Mapping[str, RecordedSanction], countries: Mapping[str, str | None]
    ) -> Renames:
        """From the recorded sanctions in force and their vendors' countries."""
        renames = cls()
        for sanction, was in sanctions.items():
            if was.lifted or was.starts_on is None or was.reason is None:
                continue
            terms = (was.starts_on, was.reason.strip(), countries.get(was.vendor_id))
            renames.by_terms.setdefault(terms, []).append(sanction)
        return renames

    def waits(self, item: ListEntry) -> bool:
        """Whether a new entry may be a recorded one renamed: then it waits for the end."""
        if type(item) is not ListEntry or _terms(item) not in self.by_terms:
            return False
        self.waiting.append(item)
        return True

    def paired(self, listed: set[str]) -> Iterator[tuple[ListEntry, str | None]]:
        """Each waiting entry with the recorded sanction it is, or None (a new entry), once
        `listed` holds every sanction the file listed."""
        gone = {
            item.line: [s for s in self.by_terms[_terms(item)] if s not in listed]
            for item in self.waiting
        }
        claims: dict[str, int] = {}
        for sanctions in gone.values():
            for sanction in sanctions:
                claims[sanction] = claims.get(sanction, 0) + 1
        for item in self.waiting:
            candidates = gone[item.line]
            one = len(candidates) == 1 and claims[candidates[0]] == 1
            yield item, candidates[0] if one else None
