"""Which events an import of a list sends (no I/O but the import's scratch database): the file
read row by row against what earlier imports of the same list recorded, each entry's events
planned by `entry_planning.py` (its vendor resolved, its names and its sanction), then what
the file's end tells: the lists' own checks, the report's notes and the lifts.

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

from services.imports.csv_rows import UnreadableFile
from services.imports.deltas import RecordedSanction, gone, over
from services.imports.entries import ListEntry, NotARow, RowProblem
from services.imports.entry_ids import entry_ids, recorded_entry
from services.imports.entry_planning import ImportContext, Pending, planned_entry, renamed_before
from services.imports.events import lifted
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
from services.imports.repeats import conflict, terms
from services.imports.report import ImportReport
from services.imports.report_notes import (
    note_imposed_again,
    note_relisted,
    note_repeats,
    note_unknown_bodies,
)
from services.imports.resolution import Known, Resolver
from services.imports.scratch import Scratch
from services.registry.domain.names import name_tokens

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
    context = ImportContext(source, Resolver(source, scratch=scratch), sanctions, today, report)
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
        item, sanction, own = recorded_entry(item, sanctions.recorded)
        said = terms(item)
        if (first := sanctions.first_row(sanction, item.line, said)) is not None:
            # The same firm, first day and grounds: counted once, or refused if its terms
            # differ (repeats.py).
            first_line, first_said = first
            if (why := conflict(first_line, said, first_said)) is not None:
                report.refuse(item.line, why)
            else:
                repeats.append((item.line, first_line))
            continue
        if renames.any_terms and sanction not in sanctions.recorded and renames.waits(item):
            continue  # until the end: it may be a recorded entry renamed
        sanctions.listed.add(sanction)
        yield from planned_entry(item, sanction, own, context)
    for item, paired in renames.paired():
        # A row that could not be read (or was refused) may be the recorded entry that a
        # waiting one seemed to rename: each waits no more and is an entry of its own
        # (barred, not merged), unless the rename is on record (`renamed_before`).
        doubt = bool(unread or context.refused)
        was = paired if not doubt or renamed_before(item, paired, context) else None
        sanction, own = entry_ids(item, sanctions.recorded)
        sanctions.listed.add(was or sanction)
        yield from planned_entry(item, was or sanction, own, context, renamed=bool(was))
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
    if refused := unread + len(context.refused):
        # A row that could not be read may be the listing of a sanction still in force: lifted
        # on its absence, a typo in a newer list would clear a barred firm. So may a row the
        # catalog refused: the registry holds what the file says of it no more than of one
        # unread. Nor is one over known to be no longer listed: `ended` counts none.
        report.withheld, report.unreadable = sum(1 for _ in delisted), refused
        return
    report.ended = sum(1 for _ in over(sanctions.recorded, sanctions.listed, whose, today))
    for sanction, gone_one in delisted:
        report.lifted += 1
        gone_from = gone_one.starts_on
        yield Pending(0, lifted(source, gone_one.vendor_id, sanction, authority, today, gone_from))
