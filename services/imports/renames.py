"""Entries whose name changed between two files of a list (the waiting ones kept in the
import's scratch database, `scratch_sanctions.py`).

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

from collections.abc import Iterator
from dataclasses import dataclass

from services.imports.entries import ListEntry, stated_reason
from services.imports.scratch_sanctions import SanctionTable, Terms


def _terms(item: ListEntry) -> list[Terms]:
    """The terms a recorded sanction of the entry has: its reason as imports now state it,
    or its bare grounds, as imports stated it before they kept the list's words on its reach
    (`ListEntry.reach`)."""
    reasons = dict.fromkeys((stated_reason(item).strip(), item.grounds.strip()))
    return [(item.starts_on, reason, item.country) for reason in reasons]


@dataclass
class Renames:
    """The recorded sanctions an entry new to the list may be, and the entries waiting (kept
    in the import's scratch database: `scratch_sanctions.py`)."""

    table: SanctionTable
    any_terms: bool  # whether any recorded sanction in force has terms to compare

    @classmethod
    def of(cls, table: SanctionTable) -> Renames:
        """From the recorded sanctions in force and their vendors' countries, as the import
        knows them when it starts."""
        return cls(table, table.renameable())

    def waits(self, item: ListEntry) -> bool:
        """Whether a new entry may be a recorded one renamed: then it waits for the end."""
        terms = self.held(item)
        if terms is not None:
            self.table.wait(item, terms)
        return terms is not None

    def held(self, item: ListEntry) -> Terms | None:
        """The terms by which a new entry may be a recorded one renamed, or None."""
        if not self.any_terms or type(item) is not ListEntry:
            return None
        return next((terms for terms in _terms(item) if self.table.has_terms(terms)), None)

    def paired(self) -> Iterator[tuple[ListEntry, str | None]]:
        """Each waiting entry with the recorded sanction it is, or None (a new entry), once
        the table's `listed` holds every sanction the file listed: the one recorded sanction of
        its terms the file no longer lists, when no other waiting entry may be it."""
        for item, gone in self.table.waiting():
            one = len(gone) == 1 and self.table.claims(gone[0]) == 1
            yield item, gone[0] if one else None
