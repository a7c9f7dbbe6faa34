"""The ids an entry of a list is recorded under: its sanction's and its vendor's, by the
list's own rules (the Japanese lists' by their body, a registry's own export's by generation
once lifted for its absence), and the vendor a bar imposed again goes on (pure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from services.imports.deltas import RecordedSanction
from services.imports.entries import ListEntry
from services.imports.events import sanction_id, vendor_id
from services.imports.lists import exclusions, japanese


def entry_ids(item: ListEntry, recorded: Mapping[str, RecordedSanction]) -> tuple[str, str]:
    """Its sanction's and its vendor's ids (lists/japanese.py's for the Japanese lists' entries:
    corporate numbers, English names, scopes, bid suspensions by their body)."""
    if isinstance(item, japanese.JapaneseEntry):
        sanction = japanese.sanction_id(item)
        if sanction not in recorded:
            # Recorded under the id without its body, and by this body: it keeps that id.
            legacy = japanese.legacy_sanction_id(item)
            was = recorded.get(legacy) if legacy != sanction else None
            if was is not None and was.authority == item.authority:
                sanction = legacy
        return sanction, japanese.vendor_id(item)
    if isinstance(item, exclusions.ExportedEntry):
        return _listed_again(exclusions.sanction_id(item), recorded), exclusions.vendor_id(item)
    return sanction_id(item), vendor_id(item)


def as_recorded(item: ListEntry, recorded: Mapping[str, RecordedSanction]) -> ListEntry:
    """The entry with the ids it was recorded under: a bank's entry whose name cell holds
    other names ("…, FORMERLY KNOWN AS …") was imported, before they were read apart, under
    ids of the cell as written, and keeps them (its vendor and sanction, not a new vendor
    barred and the first one's sanction lifted or paired as a rename). Its vendor's legal name
    is then corrected (planning.py). Ids of the name alone for an entry never recorded."""
    if type(item) is not ListEntry or item.written in (None, item.name):
        return item
    if sanction_id(item) in recorded:
        return item
    legacy = dataclasses.replace(item, ids_name=item.written)
    return legacy if sanction_id(legacy) in recorded else item


def _listed_again(first: str, recorded: Mapping[str, RecordedSanction]) -> str:
    """The id of a bar of a registry's own export as it is, or is to be, recorded: `first`,
    or once an import lifted it for its absence, its next generation (`exclusions.again`).
    Such an export is the exporting registry's whole truth, and a bar's id there follows its
    sanction's gaps and scope as of each export: one gone from an export and back in a newer
    one (a gap an amendment ahead closes and a later one opens again; a scope of A, then A
    and B, then A) is barring again, and would stay lifted under `first` (`deltas.delta`).
    A bar lifted by hand stays lifted, told to whoever imports (`report_notes.note_relisted`)."""
    sanction, generation = first, 1
    while (was := recorded.get(sanction)) is not None and was.lifted_by_list:
        generation += 1
        sanction = exclusions.again(first, generation)
    return sanction


def first_home(
    item: ListEntry, sanction: str, recorded: Mapping[str, RecordedSanction]
) -> str | None:
    """The vendor a bar imposed again (`_listed_again`) goes on: the one its first generation
    was recorded on, whatever its names or identifiers are now (resolved afresh, a vendor
    renamed since would have a new vendor barred, and itself not)."""
    if not isinstance(item, exclusions.ExportedEntry):
        return None
    first = recorded.get(exclusions.sanction_id(item))
    return (
        first.vendor_id if first is not None and sanction != exclusions.sanction_id(item) else None
    )
