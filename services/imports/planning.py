"""Which events an import of a list sends (no I/O but the import's scratch database): the file
read row by row against what earlier imports of the same list recorded, each new entity
resolved to its vendor.

A new row is imposed, a row whose last day moved is amended, a recorded debarment no longer
listed is lifted from the import's day (unless it is already over: `deltas.over`), the rest is
unchanged and sends nothing; a row the catalog refuses is reported with its line.
`cli/importing.py` reads the recorded state into the scratch database (`scratch.py`) and sends
what this plans.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from services.events.base import EventEnvelope
from services.events.vendor import CORPORATE_NUMBER, VendorRenamed, VendorUpdated
from services.imports.csv_rows import UnreadableFile
from services.imports.deltas import Delta, RecordedSanction, delta, gone, over
from services.imports.entries import ListEntry, NotARow, RowProblem
from services.imports.entry_ids import as_recorded, entry_ids, first_home
from services.imports.events import (
    aliases_updated,
    amendment,
    entry_events,
    folded,
    identifiers_updated,
    legal_name_corrected,
    lifted,
    rehomed,
    vendor_id,
)
from services.imports.events import renamed as renamed_to
from services.imports.lists import (
    ebrd,
    exclusions,
    idb,
    japanese,
    jp_meti,
    jp_suspension,
    worldbank,
)
from services.imports.renames import Renames
from services.imports.report import ImportReport
from services.imports.report_notes import (
    note_imposed_again,
    note_reach,
    note_relisted,
    note_repeats,
    note_unknown_bodies,
)
from services.imports.resolution import Entity, How, Known, Resolution, Resolver
from services.imports.scratch import Scratch
from services.imports.scratch_sanctions import SanctionTable
from services.registry.domain.names import IdentifierKey, name_tokens, normalize_identifier

Reader = Callable[[TextIO], Iterator[ListEntry | RowProblem | NotARow]]
# Each list: its reader and the authority its debarments are recorded under. None: a source
# that is not a list of sanctions, with an importer of its own (OCDS: ocds_importing.py).
LISTS: dict[str, tuple[Reader, str] | None] = {
    "worldbank": (worldbank.entries, worldbank.AUTHORITY),
    "idb": (idb.entries, idb.AUTHORITY),
    "ebrd": (ebrd.entries, ebrd.AUTHORITY),
    "jp_suspension": (jp_suspension.entries, jp_suspension.AUTHORITY),
    "jp_meti": (jp_meti.entries, jp_meti.AUTHORITY),
    "exclusions": (exclusions.entries, exclusions.AUTHORITY),  # our own JSON-lines export
    "ocds": None,
}
# The lists read as CSV (the others: our own export, JSON lines).
CSV_LISTS = frozenset(LISTS) - {"exclusions", "ocds"}
# Lists of which each file speaks only for the bodies its rows name, or the import names
# (`bodies`): a municipality's 指名停止一覧 lifts none of its water bureau's suspensions, nor
# another city's. The others are
# one publisher's whole list (cross-debarments under other banks' names included).
BY_AUTHORITY = frozenset({"jp_suspension"})
# Published lists that are never empty: a file of one without a row is a download cut short
# (a header and no row), and read as the list it would lift every sanction of it. (Our own
# export may be: the other registry has lifted its last exclusion.)
NEVER_EMPTY = frozenset({"worldbank", "idb", "ebrd", "jp_meti"})
# A registry's own export (JSON lines), read as a list. It may be empty, but is imported so
# only when the import is told it is: an export of a registry that bars no one has no line,
# and neither has a failed export redirected to a file, which, read as the list, lifted every
# sanction of the earlier exports. (A recorded sanction that ended is not lifted for its
# absence, of any list, `deltas.over`; of an export, lifted, it would also stay lifted: its ids
# follow its sanctions' gaps, so a gap closed later gives back the id of a bar that ended.)
REGISTRY_EXPORTS = frozenset({"exclusions"})


# A list's names are put in form once or twice each, within their row: the registry's cache of
# name forms (`names.name_tokens`, sized for searches that compare the same names again and
# again) would only fill up with them, some 20 MiB by 100,000 rows. Emptied every so many rows.
FORGET_NAMES_EVERY = 4096


@dataclass(frozen=True)
class Recorded:
    """What earlier imports of a list recorded, and the vendors an entity may join, in memory
    (`planned_events` loads it into a scratch database; the CLI reads the registry's straight
    into one)."""

    known: tuple[Known, ...] = ()
    sanctions: dict[str, RecordedSanction] = field(default_factory=dict)


@dataclass(frozen=True)
class Pending:
    line: int  # 0: no line (a lift)
    event: EventEnvelope


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
    return Entity(own, source, name, aliases, item.country, identifiers)


def _resolved(
    item: ListEntry,
    sanction: str,
    source: str,
    own: str,
    resolver: Resolver,
    today: dt.date,
    report: ImportReport,
) -> tuple[EventEnvelope, ...]:
    """A new entry's events on the vendor it resolves to (resolution.py), reported; ValueError
    when the catalog refuses them."""
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
    return made


def _names(
    item: ListEntry,
    own: str,
    vendor: str,
    context: _Import,
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


def _planned(
    item: ListEntry, sanction: str, own: str, context: _Import, renamed: bool = False
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
        changes = was.changes if was is not None else 0
        if change is not Delta.KEEP and home is not None:
            made = (
                (amendment(item, today, sanction, home, changes),)
                if renamed  # its sanction has the id of the entry's former name
                else rehomed(_made(item, sanction, change, today, False, changes), home)
            )
        elif change is not Delta.KEEP:
            made = _resolved(item, sanction, context.source, own, context.resolver, today, report)
    except ValueError as error:
        report.refuse(item.line, str(error))
        context.refused.append(item.line)  # its listing unknown to the registry: lifts wait
        return
    if item.reach and change is Delta.IMPOSE:
        note_reach(item, report)
    _count_names(names, report)
    report.unchanged += change is Delta.KEEP
    report.amended += change is Delta.AMEND
    report.imposed += change is Delta.IMPOSE
    yield from (Pending(item.line, event) for event in (*names, *made))


def _renamed_before(item: ListEntry, paired: str | None, context: _Import) -> bool:
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


@dataclass(frozen=True)
class _Import:
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


def planned_events(
    source: str,
    stream: TextIO,
    recorded: Recorded | Scratch,
    today: dt.date,
    report: ImportReport,
    bodies: Collection[str] = (),
    empty_allowed: bool = False,
) -> Iterator[Pending]:
    """The events an import of `stream` sends (lazily, row by row), reported into `report`.
    What it learns of each entity is kept in a scratch database (`scratch.py`): `recorded`
    loaded into one (closed with the iterator), or one the caller loaded, so that a list of
    any size is imported in bounded memory. `bodies`: of a list that speaks for the bodies
    its rows name (`BY_AUTHORITY`), those it is the whole list of even where it names none of
    their suspensions (a body's list emptied: each of theirs it does not give is lifted).
    `empty_allowed`: a file of a `REGISTRY_EXPORTS` list without a row is the list (else it
    is refused)."""
    told = _Told(tuple(bodies), empty_allowed)
    if isinstance(recorded, Scratch):
        yield from _list_events(source, stream, recorded, today, report, told)
        return
    with Scratch() as scratch:
        scratch.load(recorded.known, recorded.sanctions.items())
        yield from _list_events(source, stream, scratch, today, report, told)


@dataclass(frozen=True)
class _Told:
    """What the import was told of the file beside its rows (`planned_events`)."""

    bodies: tuple[str, ...]
    empty_allowed: bool


def _list_events(
    source: str,
    stream: TextIO,
    scratch: Scratch,
    today: dt.date,
    report: ImportReport,
    told: _Told,
) -> Iterator[Pending]:
    a_list = LISTS[source]
    assert a_list is not None, f"{source} is not a list"
    read, authority = a_list
    sanctions = scratch.sanctions
    context = _Import(source, Resolver(source, scratch=scratch), sanctions, today, report)
    renames = Renames.of(sanctions)
    unread = 0  # rows that could not be read: what they list is unknown (and `refused`)
    repeats: list[tuple[int, int]] = []  # (line, the line it repeats)
    in_rows: set[str] = set()  # the bodies the rows name
    for item in read(stream):
        if isinstance(item, NotARow):
            report.notes.append(f"line {item.line}: {item.what}")
            continue
        report.rows += 1
        if report.rows % FORGET_NAMES_EVERY == 0:
            name_tokens.cache_clear()
        if isinstance(item, RowProblem):
            report.refuse(item.line, item.reason)
            unread += 1
            continue
        in_rows.add(item.authority)
        item = as_recorded(item, sanctions.recorded)
        sanction, own = entry_ids(item, sanctions.recorded)
        if (first := sanctions.first_row(sanction, item.line)) is not None:
            repeats.append((item.line, first))  # the same firm, first day and grounds
            continue
        if renames.any_terms and sanction not in sanctions.recorded and renames.waits(item):
            continue  # until the end: it may be a recorded entry renamed
        sanctions.listed.add(sanction)
        yield from _planned(item, sanction, own, context)
    for item, paired in renames.paired():
        # A row that could not be read (or was refused) may be the recorded entry that a
        # waiting one seemed to rename: each waits no more and is an entry of its own
        # (barred, not merged), unless the rename is on record (`_renamed_before`).
        doubt = bool(unread or context.refused)
        was = paired if not doubt or _renamed_before(item, paired, context) else None
        sanction, own = entry_ids(item, sanctions.recorded)
        sanctions.listed.add(was or sanction)
        yield from _planned(item, was or sanction, own, context, renamed=bool(was))
    if not report.rows and source in NEVER_EMPTY:
        raise UnreadableFile(
            "the file has a header and no row: it lists no one, and imported it would lift"
            f" every sanction of the {authority} list"
        )
    if not report.rows and source in REGISTRY_EXPORTS and not told.empty_allowed:
        raise UnreadableFile(
            "the file lists no vendor: imported, it would lift every sanction of the earlier"
            " exports (a failed export saved to a file looks the same); if the exporting"
            " registry bars no one, import it with --allow-empty"
        )
    # Whose sanctions the file lists: the bodies its rows name, and those it was said to be
    # the whole list of (their names written as the rows' are read).
    named = {japanese.plain(body) for body in told.bodies}
    report.whole_list_of = tuple(sorted(named))
    authorities = in_rows | named
    note_unknown_bodies(named, in_rows, sanctions, report)
    note_relisted(context.relisted, report)
    note_imposed_again(context.again, report)
    note_repeats(repeats, report)
    # Of the debarments no longer listed, those already over are not lifted (deltas.over).
    whose = authorities if source in BY_AUTHORITY else None
    delisted = gone(sanctions.recorded, sanctions.listed, whose, today)
    report.ended = sum(1 for _ in over(sanctions.recorded, sanctions.listed, whose, today))
    if refused := unread + len(context.refused):
        # A row that could not be read may be the listing of a sanction still in force: lifted
        # on its absence, a typo in a newer list would clear a barred firm. So may a row the
        # catalog refused: the registry holds what the file says of it no more than of one
        # unread.
        report.withheld, report.unreadable = sum(1 for _ in delisted), refused
        return
    for sanction, gone_one in delisted:
        report.lifted += 1
        gone_from = gone_one.starts_on
        yield Pending(0, lifted(source, gone_one.vendor_id, sanction, authority, today, gone_from))
