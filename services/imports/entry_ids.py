"""The ids an entry of a list is recorded under: its sanction's and its vendor's, by the
list's own rules (the Japanese lists' by their body), by generation once an import lifted the
sanction for its absence from the list, and the vendor a bar imposed again goes on (pure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from services.events.base import IDENTIFIER_MAX_CHARS
from services.imports.deltas import RecordedSanction
from services.imports.entries import ListEntry
from services.imports.events import id_key, sanction_id, vendor_id
from services.imports.lists import exclusions, japanese


def entry_ids(item: ListEntry, recorded: Mapping[str, RecordedSanction]) -> tuple[str, str]:
    """Its sanction's and its vendor's ids (lists/japanese.py's for the Japanese lists' entries:
    corporate numbers, English names, scopes, bid suspensions by their body; a registry's own
    export's, lists/exclusions.py's), the sanction's of its latest generation
    (`_listed_again`)."""
    return _listed_again(_first_id(item, recorded), recorded), _vendor_id(item)


def recorded_entry(
    item: ListEntry, recorded: Mapping[str, RecordedSanction]
) -> tuple[ListEntry, str, str]:
    """The entry with the ids it was recorded under (`as_recorded`), its sanction's and its
    vendor's ids (`entry_ids`): a row as the import plans it (planning.py) and as the foresight
    of its lifts reads it (mass_lifts.py), so that both find the same recorded sanctions."""
    item = as_recorded(item, recorded)
    sanction, vendor = entry_ids(item, recorded)
    return item, sanction, vendor


def _first_id(item: ListEntry, recorded: Mapping[str, RecordedSanction]) -> str:
    """The id the entry's sanction was first imposed under (or is to be)."""
    if isinstance(item, japanese.JapaneseEntry):
        sanction = japanese.sanction_id(item)
        if sanction not in recorded:
            # Recorded under the id without its body, and by this body: it keeps that id.
            legacy = japanese.legacy_sanction_id(item)
            was = recorded.get(legacy) if legacy != sanction else None
            if was is not None and was.authority == item.authority:
                sanction = legacy
        return sanction
    if isinstance(item, exclusions.ExportedEntry):
        return exclusions.sanction_id(item)
    return sanction_id(item)


def _vendor_id(item: ListEntry) -> str:
    if isinstance(item, japanese.JapaneseEntry):
        return japanese.vendor_id(item)
    if isinstance(item, exclusions.ExportedEntry):
        return exclusions.vendor_id(item)
    return vendor_id(item)


def again(first: str, generation: int) -> str:
    """The id under which a sanction is imposed again (its `generation`, 2 and up) once an
    import lifted it under `first` for its absence from its list, and a newer file lists it:
    `<first>:again-<generation>` (`<source>:` and a hash of both when that would be too long)."""
    whole = f"{first}:again-{generation}"
    source = first.partition(":")[0]
    return whole if len(whole) <= IDENTIFIER_MAX_CHARS else f"{source}:{id_key(first, generation)}"


def as_recorded(item: ListEntry, recorded: Mapping[str, RecordedSanction]) -> ListEntry:
    """The entry with the ids it was recorded under: a bank's entry whose name cell holds
    other names ("…, FORMERLY KNOWN AS …") was imported, before they were read apart, under
    ids of the cell as written, and keeps them (its vendor and sanction, not a new vendor
    barred and the first one's sanction lifted or paired as a rename). Its vendor's legal name
    is then corrected (entry_planning.py). Ids of the name alone for an entry never recorded."""
    if type(item) is not ListEntry or item.written in (None, item.name):
        return item
    if sanction_id(item) in recorded:
        return item
    legacy = dataclasses.replace(item, ids_name=item.written)
    return legacy if sanction_id(legacy) in recorded else item


def _listed_again(first: str, recorded: Mapping[str, RecordedSanction]) -> str:
    """The id of the entry's sanction as it is, or is to be, recorded: `first`, or once an
    import of the list lifted it for its absence (`RecordedSanction.lifted_by_list`), its next
    generation (`again`). The list lists it again, so it bars again: under `first` it would stay
    lifted (`deltas.delta`; a lift is final in the registry). That lift may have been the
    list's own decision undone, or the importer's misreading of a file (cut short, a row
    dropped by an export): either way the list, which the import follows, now says the firm is
    barred. A registry's own export lists a bar again whenever its sanction's gaps or scope
    change back (a scope of A, then A and B, then A). A sanction lifted by hand stays lifted,
    told to whoever imports (`report_notes.note_relisted`): someone decided it here."""
    sanction, generation = first, 1
    while (was := recorded.get(sanction)) is not None and was.lifted_by_list:
        generation += 1
        sanction = again(first, generation)
    return sanction


def first_home(
    item: ListEntry, sanction: str, recorded: Mapping[str, RecordedSanction]
) -> str | None:
    """The vendor a sanction imposed again (`_listed_again`) goes on: the one its first
    generation was recorded on, whatever its names or identifiers are now (resolved afresh, a
    vendor renamed or joined since would have another vendor barred, and itself not); None for
    a first generation."""
    first = _first_id(item, recorded)
    was = recorded.get(first) if sanction != first else None
    return was.vendor_id if was is not None else None
