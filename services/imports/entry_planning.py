"""One entry of a list file's events (no I/O but the import's scratch database): its vendor
the one its sanction is recorded on, or the one it resolves to (`resolution.py`); that
vendor's names amended as the list gives them, and its kind learnt when the list says it and
the registry does not know it; its sanction imposed, amended or left, and counted in the
report. `planning.py` reads the file and calls this for each entry it plans.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from services.events.base import EventEnvelope
from services.events.vendor import CORPORATE_NUMBER, VendorRenamed, VendorUpdated
from services.imports.deltas import Delta, delta
from services.imports.entries import ListEntry
from services.imports.entry_ids import first_home
from services.imports.events import (
    aliases_updated,
    amendment,
    entry_events,
    folded,
    identifiers_updated,
    kind_learnt,
    legal_name_corrected,
    rehomed,
    vendor_id,
)
from services.imports.events import renamed as renamed_to
from services.imports.lists import exclusions, japanese
from services.imports.report import ImportReport
from services.imports.report_notes import note_kind_differs, note_reach
from services.imports.resolution import Entity, How, Resolution, Resolver
from services.imports.scratch_sanctions import SanctionTable
from services.registry.domain.names import IdentifierKey, normalize_identifier


@dataclass(frozen=True)
class Pending:
    """An event the import sends, with the line of the row it is of."""

    line: int  # 0: no line (a lift)
    event: EventEnvelope


@dataclass(frozen=True)
class ImportContext:
    """One import of a list as its entries are planned: what they are resolved and compared
    against, and the lines the file's end reports on."""

    source: str
    resolver: Resolver
    sanctions: SanctionTable
    today: dt.date
    report: ImportReport
    # The lines of rows whose debarment was lifted by hand (deltas.py: it stays lifted).
    relisted: list[int] = field(default_factory=list)
    # The lines of rows whose debarment an import of the list lifted: imposed again.
    again: list[int] = field(default_factory=list)
    # The lines of rows read whole whose events the catalog refused (a NUL, a name past its
    # limit): as unknown to the registry as a row that could not be read.
    refused: list[int] = field(default_factory=list)


def _made(
    item: ListEntry,
    sanction: str,
    change: Delta,
    today: dt.date,
    register: bool,
    changes: int = 0,
) -> tuple[EventEnvelope, ...]:
    """The events of an amended or imposed entry (`sanction`: its sanction's id, `entry_ids`;
    `changes`: those recorded on it, for an amendment's id); ValueError when the catalog
    refuses them."""
    if isinstance(item, japanese.JapaneseEntry):
        if change is Delta.AMEND:
            return (japanese.amended(item, today, sanction, changes),)
        return japanese.entry_events(item, register, sanction).events
    if isinstance(item, exclusions.ExportedEntry):
        if change is Delta.AMEND:
            return (exclusions.amended(item, today, sanction, changes),)
        return exclusions.entry_events(item, register, sanction).events
    if change is Delta.AMEND:
        return (amendment(item, today, sanction, vendor_id(item), changes),)
    return entry_events(item, register, sanction).events


def _entity(item: ListEntry, source: str, own: str) -> Entity:
    """The entry as entity resolution sees it: its names, country, identifiers."""
    name, aliases, identifiers = item.name, item.aliases, tuple[IdentifierKey, ...]()
    if isinstance(item, japanese.JapaneseEntry):
        # As registered: a name past the registry's limit is cut (japanese.cut). Compared
        # whole, it was a name the vendor lacked at every later import, sent as an alias the
        # catalog refuses.
        name = japanese.cut(name)
        aliases = tuple(
            japanese.cut(a) for a in (*aliases, *([item.name_en] if item.name_en else []))
        )
        if item.corporate_number:
            identifiers = (normalize_identifier(CORPORATE_NUMBER, item.corporate_number),)
    if isinstance(item, exclusions.ExportedEntry):
        aliases = (*aliases, *(n for n in (item.name_kana, item.name_en) if n))
        identifiers = exclusions.identifier_keys(item)
    return Entity(own, source, name, aliases, item.country, identifiers, item.vendor_kind)


def _resolved(
    item: ListEntry,
    sanction: str,
    source: str,
    own: str,
    resolver: Resolver,
    today: dt.date,
    report: ImportReport,
) -> tuple[str, tuple[EventEnvelope, ...]]:
    """The vendor a new entry resolves to (resolution.py) and the entry's events on it,
    reported; ValueError when the catalog refuses them."""
    entity = _entity(item, source, own)
    found = resolver.decide(entity)
    made = _made(item, sanction, Delta.IMPOSE, today, register=found.how is How.NEW)
    if found.vendor_id != own:
        made = rehomed(made, found.vendor_id)
    if found.aliases is not None:
        made = (*made, aliases_updated(item, found.vendor_id, found.aliases))
    # Joined by name, the vendor gains the entry's identifiers it lacks (none is held by
    # another vendor: the entity would have joined that one, or been proposed for review).
    held = resolver.identifiers_of(found.vendor_id) if entity.identifiers else ()
    gained = [key for key in entity.identifiers if key not in held]
    if found.how is How.NAME_COUNTRY and gained:
        made = (*made, identifiers_updated(item, found.vendor_id, (*held, *gained)))
        report.identifiers_added += 1
    resolver.record(entity, found)  # only once its events are made: a refused row joins nothing
    report.vendors += found.how is How.NEW
    report.by_identifier += found.how is How.IDENTIFIER
    report.by_name += found.how is How.NAME_COUNTRY
    for candidate in found.candidates:  # of a join by identifier: the vendor it joined
        report.propose(item.line, item.name, found.vendor_id, candidate)
    return found.vendor_id, made


def _kind(item: ListEntry, vendor: str, context: ImportContext) -> tuple[EventEnvelope, ...]:
    """The event that records the kind the list gives (a firm or a person) on the entry's
    vendor when the vendor's is not known (one another list registered, which did not say),
    learnt for the rows after it; a note instead when the vendor's recorded kind is the
    other, which a person decides (not overwritten). () when the list says no kind, or of a
    vendor this import does not know."""
    kind, resolver = item.vendor_kind, context.resolver
    if kind is None or not resolver.knows(vendor):
        return ()
    recorded = resolver.kind_of(vendor)
    if recorded is None:
        resolver.learn_kind(vendor, kind)
        return (kind_learnt(item, vendor, kind),)
    if recorded is not kind:
        note_kind_differs(item, vendor, recorded, context.report)
    return ()


def _names(
    item: ListEntry,
    own: str,
    vendor: str,
    context: ImportContext,
    renamed: bool,
    sanction: str,
) -> tuple[EventEnvelope, ...]:
    """The events that give a recorded entry's vendor the names the list now gives it, when
    the vendor is this list's own: its legal name corrected when it was registered as the
    name cell was written (`ListEntry.ids_name`), or renamed from the import's day when the
    list names the firm otherwise (an entry `renamed`, renames.py; or a recorded entry whose
    vendor bears another name, renamed by an earlier file: the list gives the name back);
    and the names it has no form of as aliases (none is taken away: a vendor's aliases may
    come from other lists); () when it has them all. ValueError when the catalog refuses
    one."""
    source, resolver = context.source, context.resolver
    entity = _entity(item, source, own)
    legal = resolver.legal_name(vendor)
    other = vendor.startswith(f"{source}:") and legal is not None
    other = other and folded(legal or "") != folded(item.name)
    written = item.ids_name
    corrected = other and written is not None and folded(legal or "") == folded(written)
    # A recorded entry renames its vendor only when no other sanction the list recorded on it
    # is in force: two rows of one firm named two ways would rename it back and forth at
    # every import. (Asked only of a vendor named otherwise: the look-up scans.)
    retitled = (other and not corrected) and (
        renamed or (type(item) is ListEntry and not context.sanctions.shared(vendor, sanction))
    )
    besides = item.name if retitled or corrected else None
    aliases = resolver.names_to_add(vendor, entity, besides=besides)
    events = (
        *([renamed_to(item, vendor, context.today)] if retitled else []),
        *([legal_name_corrected(item, vendor)] if corrected else []),
    )
    if aliases is not None:
        events = (*events, aliases_updated(item, vendor, aliases))
    if events:
        resolver.record(entity, Resolution(vendor, How.OWN, aliases=aliases or ()))
    return events


def _count_names(names: tuple[EventEnvelope, ...], report: ImportReport) -> None:
    """What the events giving a vendor its names did, counted apart in the report: a rename,
    a legal name corrected, or only aliases added."""
    payloads = [event.payload for event in names]
    report.names_amended += bool(names)
    report.renamed += any(isinstance(p, VendorRenamed) for p in payloads)
    report.corrected += any(isinstance(p, VendorUpdated) and p.legal_name for p in payloads)


def planned_entry(
    item: ListEntry, sanction: str, own: str, context: ImportContext, renamed: bool = False
) -> Iterator[Pending]:
    """An entry's events: its vendor's names amended, its sanction imposed or amended (or
    nothing), reported; a row the catalog refuses is reported with its line instead."""
    report, today = context.report, context.today
    recorded = context.sanctions.recorded
    was = recorded.get(sanction)
    # The vendor its sanction is recorded on, or for a bar imposed again, the first one's.
    home = was.vendor_id if was is not None else first_home(item, sanction, recorded)
    change = delta(sanction, item.last_day, recorded)
    if was is not None and was.lifted:
        context.relisted.append(item.line)
    elif was is None and home is not None:
        context.again.append(item.line)
    try:
        names: tuple[EventEnvelope, ...] = ()
        if home is not None:  # the entity's vendor is the one its sanction is recorded on
            context.resolver.note(own, home)
            names = _names(item, own, home, context, renamed, sanction)
        made: tuple[EventEnvelope, ...] = ()
        vendor = home
        changes = was.changes if was is not None else 0
        if change is not Delta.KEEP and home is not None:
            made = (
                (amendment(item, today, sanction, home, changes),)
                if renamed  # its sanction has the id of the entry's former name
                else rehomed(_made(item, sanction, change, today, False, changes), home)
            )
        elif change is not Delta.KEEP:
            vendor, made = _resolved(
                item, sanction, context.source, own, context.resolver, today, report
            )
    except ValueError as error:
        report.refuse(item.line, str(error))
        context.refused.append(item.line)  # its listing unknown to the registry: lifts wait
        return
    kind = _kind(item, vendor, context) if vendor is not None else ()
    if item.reach and change is Delta.IMPOSE:
        note_reach(item, report)
    _count_names(names, report)
    report.unchanged += change is Delta.KEEP
    report.amended += change is Delta.AMEND
    report.imposed += change is Delta.IMPOSE
    yield from (Pending(item.line, event) for event in (*names, *made, *kind))


def renamed_before(item: ListEntry, paired: str | None, context: ImportContext) -> bool:
    """Whether the vendor of the recorded sanction a waiting entry seems to rename already
    bears the entry's name: an earlier import recorded the rename (or the vendor had the name
    as an alias), so the entry is that sanction's whichever row could not be read. Taken for
    a new entry, it registered a second vendor, barred anew, and the next whole file lifted
    the first vendor's sanction for its absence."""
    was = context.sanctions.recorded.get(paired) if paired is not None else None
    if was is None:
        return False
    name = folded(item.name)
    return any(folded(known) == name for known in context.resolver.names_of(was.vendor_id))
