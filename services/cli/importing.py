"""`vendorwatch import SOURCE FILE`: a debarment list into either mode's event log, as
ordinary catalog events through ingest (services/imports/), a batch at a time, with a report.

The file is a snapshot of the list: read against what earlier imports of the same list
recorded (the registry's state when the import starts), a new row is imposed, a row whose
last day moved is amended, a recorded debarment no longer listed is lifted from the import's
day, the rest is unchanged and sends nothing. Every row is accounted for, or refused with its
line and reason. The events' ids depend only on what they say, so an import sent twice (the
registry not having applied the first yet) is taken once.

A new entry's entity is resolved (services/imports/resolution.py) against every vendor the
registry holds when the import starts and those the import has made: it joins a vendor holding
its identifier, or the one vendor of its name and country (its sanction imposed on that
vendor, its other names added as aliases), or becomes a new vendor; matches too weak or
ambiguous to join are reported, one "possible same as" line each, for review. An entry whose
sanction is recorded already is amended or lifted on the vendor it was recorded on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

import asyncpg
import click

from services.cli import database_choice
from services.cli.publishing import (
    BATCH_LINES,
    SHOWN_REFUSALS,
    Send,
    progress_bar,
    to_embedded,
    to_kafka,
)
from services.events.base import EventEnvelope
from services.events.vendor import CORPORATE_NUMBER
from services.imports import (
    ebrd,
    exclusions,
    idb,
    japanese,
    jp_meti,
    jp_suspension,
    worldbank,
)
from services.imports.deltas import Delta, RecordedSanction, delta, gone
from services.imports.entries import ListEntry, RowProblem
from services.imports.events import (
    aliases_updated,
    amended,
    entry_events,
    lifted,
    rehomed,
    sanction_id,
    vendor_id,
)
from services.imports.report import ImportedFile, ImportReport, report_event
from services.imports.resolution import JOIN_SCORE, Entity, How, Known, Resolver
from services.platform.errors import StartupError
from services.platform.settings import Settings
from services.registry import sanction_repository
from services.registry.names import IdentifierKey, normalize_identifier

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

Reader = Callable[[TextIO], Iterator[ListEntry | RowProblem]]
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


@dataclass(frozen=True)
class Recorded:
    """What earlier imports of a list recorded, and the vendors an entity may join."""

    known: tuple[Known, ...] = ()
    sanctions: dict[str, RecordedSanction] = field(default_factory=dict)


@dataclass(frozen=True)
class _Pending:
    line: int  # 0: no line (a lift)
    event: EventEnvelope


def _ids(item: ListEntry) -> tuple[str, str]:
    """Its sanction's and its vendor's ids (japanese.py's for the Japanese lists' entries:
    corporate numbers, English names, scopes, bid suspensions)."""
    if isinstance(item, japanese.JapaneseEntry):
        return japanese.sanction_id(item), japanese.vendor_id(item)
    if isinstance(item, exclusions.ExportedEntry):
        return exclusions.sanction_id(item), exclusions.vendor_id(item)
    return sanction_id(item), vendor_id(item)


def _made(
    item: ListEntry, change: Delta, today: dt.date, register: bool
) -> tuple[EventEnvelope, ...]:
    """The events of an amended or imposed entry; ValueError when the catalog refuses them."""
    if isinstance(item, japanese.JapaneseEntry):
        if change is Delta.AMEND:
            return (japanese.amended(item, today),)
        return japanese.entry_events(item, register).events
    if isinstance(item, exclusions.ExportedEntry):
        if change is Delta.AMEND:
            return (exclusions.amended(item, today),)
        return exclusions.entry_events(item, register).events
    if change is Delta.AMEND:
        return (amended(item, today),)
    return entry_events(item, register=register).events


def _entity(item: ListEntry, source: str, own: str) -> Entity:
    """The entry as entity resolution sees it: its names, country, identifiers."""
    aliases, identifiers = item.aliases, tuple[IdentifierKey, ...]()
    if isinstance(item, japanese.JapaneseEntry):
        aliases = (*aliases, *([item.name_en] if item.name_en else []))
        if item.corporate_number:
            identifiers = (normalize_identifier(CORPORATE_NUMBER, item.corporate_number),)
    if isinstance(item, exclusions.ExportedEntry):
        aliases = (*aliases, *(n for n in (item.name_kana, item.name_en) if n))
        identifiers = exclusions.identifier_keys(item)
    return Entity(own, source, item.name, aliases, item.country, identifiers)


def _resolved(
    item: ListEntry, source: str, own: str, resolver: Resolver, today: dt.date, report: ImportReport
) -> tuple[EventEnvelope, ...]:
    """A new entry's events on the vendor it resolves to (resolution.py), reported; ValueError
    when the catalog refuses them."""
    entity = _entity(item, source, own)
    found = resolver.decide(entity)
    made = _made(item, Delta.IMPOSE, today, register=found.how is How.NEW)
    if found.vendor_id != own:
        made = rehomed(made, found.vendor_id)
    if found.aliases is not None:
        made = (*made, aliases_updated(item, found.vendor_id, found.aliases))
    resolver.record(entity, found)  # only once its events are made: a refused row joins nothing
    report.vendors += found.how is How.NEW
    report.by_identifier += found.how is How.IDENTIFIER
    report.by_name += found.how is How.NAME_COUNTRY
    for candidate in found.candidates:
        report.propose(item.line, item.name, own, candidate)
    return made


def planned_events(
    source: str, stream: TextIO, recorded: Recorded, today: dt.date, report: ImportReport
) -> Iterator[_Pending]:
    """The events an import of `stream` sends (lazily, row by row: a file of any size
    in memory bounded by its entities), reported into `report`."""
    a_list = LISTS[source]
    assert a_list is not None, f"{source} is not a list"
    read, authority = a_list
    resolver = Resolver(source, recorded.known)
    listed: set[str] = set()
    for item in read(stream):
        report.rows += 1
        if isinstance(item, RowProblem):
            report.refuse(item.line, item.reason)
            continue
        sanction, own = _ids(item)
        listed.add(sanction)
        change = delta(sanction, item.last_day, recorded.sanctions)
        was = recorded.sanctions.get(sanction)
        if was is not None:  # the entity's vendor is the one its sanction is recorded on
            resolver.note(own, was.vendor_id)
        if change is Delta.KEEP:
            report.unchanged += 1
            continue
        try:
            if was is not None:
                made = rehomed(_made(item, change, today, register=False), was.vendor_id)
            else:
                made = _resolved(item, source, own, resolver, today, report)
        except ValueError as error:
            report.refuse(item.line, str(error))
            continue
        if change is Delta.AMEND:
            report.amended += 1
        else:
            report.imposed += 1
        yield from (_Pending(item.line, event) for event in made)
    for sanction, was in gone(recorded.sanctions, listed):
        report.lifted += 1
        yield _Pending(0, lifted(source, was.vendor_id, sanction, authority, today))


async def _send_all(
    pending: Iterator[_Pending], send: Send, report: ImportReport, advanced: Callable[[], None]
) -> None:
    while batch := list(itertools.islice(pending, BATCH_LINES)):
        raws = [_raw(p.event) for p in batch]
        for sent, verdict in zip(batch, await send(raws), strict=True):
            if verdict.refused is not None:
                report.refuse(sent.line, verdict.refused)
            elif verdict.new is None:
                report.events_sent += 1
            elif verdict.new:
                report.events_new += 1
            else:
                report.events_known += 1
        advanced()


# Every vendor with its current names (the legal name first), its aliases in their order,
# and its identifiers: what an imported entity may join.
_KNOWN = """SELECT v.vendor_id, v.country,
    coalesce(array_agg(n.name ORDER BY n.kind <> 'legal', n.ctid)
             FILTER (WHERE n.kind <> 'former'), '{}') AS names,
    coalesce(array_agg(n.name ORDER BY n.ctid) FILTER (WHERE n.kind = 'alias'), '{}') AS aliases
    FROM registry_vendors v LEFT JOIN registry_vendor_names n USING (vendor_id)
    GROUP BY v.vendor_id, v.country"""


async def _known(conn: asyncpg.Connection) -> tuple[Known, ...]:
    identifiers: dict[str, list[IdentifierKey]] = {}
    for row in await conn.fetch(
        "SELECT vendor_id, scheme, value FROM registry_vendor_identifiers ORDER BY scheme, value"
    ):
        identifiers.setdefault(row["vendor_id"], []).append(
            IdentifierKey(row["scheme"], row["value"])
        )
    return tuple(
        Known(
            row["vendor_id"],
            row["country"],
            tuple(row["names"]),
            tuple(row["aliases"]),
            tuple(identifiers.get(row["vendor_id"], ())),
        )
        for row in await conn.fetch(_KNOWN)
    )


async def _recorded(database_url: str, source: str) -> Recorded:
    conn = await asyncpg.connect(database_url)
    try:
        prefix = f"{source}:"
        timelines = await sanction_repository.timelines_named(conn, prefix)
        return Recorded(
            await _known(conn),
            {
                t.sanction_id: RecordedSanction(
                    t.vendor_id, t.terms[-1].last_day, any(terms.lifted for terms in t.terms)
                )
                for t in timelines
            },
        )
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def target(
    kafka: str | None, database_url: str | None, data_dir: Path | None, dry_run: bool
) -> AsyncIterator[tuple[str | None, Send | None]]:
    """The database to read the recorded state from (None in Kafka mode without one) and
    where to send (None for a dry run)."""
    async with contextlib.AsyncExitStack() as stack:
        url: str | None = None
        if not kafka or database_url or data_dir:
            try:
                url = await stack.enter_async_context(
                    database_choice.database(database_url, data_dir)
                )
            except StartupError:
                if not dry_run:
                    raise  # a dry run without a database compares the file with nothing
        send: Send | None = None
        if not dry_run:
            context = to_kafka(kafka) if kafka else to_embedded(url or "")
            send = await stack.enter_async_context(context)
        yield url, send


class _Digesting(io.RawIOBase):
    """A file read through it is hashed on the way (SHA-256 of its bytes, whoever reads)."""

    def __init__(self, file: BinaryIO) -> None:
        self._file, self.sha256 = file, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        data = self._file.read(len(memoryview(buffer)))
        self.sha256.update(data)
        memoryview(buffer)[: len(data)] = data
        return len(data)


async def run(
    source: str,
    file: BinaryIO,
    kafka: str | None,
    database_url: str | None,
    data_dir: Path | None,
    dry_run: bool,
) -> None:
    """`vendorwatch import`: into Kafka if given, else the chosen embedded event log; the
    report is sent last, as an `import.reported` event (imports/report.py)."""
    if source == "ocds":  # a contract register, not a list: an importer of its own
        from services.cli import ocds_importing  # it imports this module

        await ocds_importing.run(file, kafka, database_url, data_dir, dry_run)
        return
    report = ImportReport()
    digesting = _Digesting(file)
    stream = io.TextIOWrapper(io.BufferedReader(digesting), encoding="utf-8-sig", newline="")
    async with target(kafka, database_url, data_dir, dry_run) as (url, send):
        clock = Settings(database_url=url or "", kafka_bootstrap=kafka).clock
        started = clock.now()
        # The import's day, in the registry's time zone: when lifts and amendments apply.
        today = clock.today()
        recorded = await _recorded(url, source) if url else Recorded()
        pending = planned_events(source, stream, recorded, today, report)
        with progress_bar(file) as progress:
            done = 0

            def advanced() -> None:  # by the bytes of the file read so far
                nonlocal done
                with contextlib.suppress(OSError, ValueError):
                    now = file.tell()
                    progress(now - done)
                    done = now

            if send is None:
                for _ in pending:
                    pass
            else:
                await _send_all(pending, send, report, advanced)
        digesting.readall()  # what the reader left unread (a trailer) is the file's too
        read = ImportedFile(
            source,
            Path(getattr(file, "name", "-")).name,
            digesting.sha256.hexdigest(),
            started,
            clock.now(),
            compared=url is not None,
        )
        reported = report_event(report, read)
        # Sent after the import's events: on their partitions and its own, the report comes
        # after what it reports.
        verdict = None if send is None else (await send([_raw(reported)]))[0]
    said = None
    if verdict is not None:
        said = verdict.refused or f"import report {reported.event_id} (query importReport)"
    print_report(report, source, dry_run, compared=url is not None, reported=said)


def _raw(event: EventEnvelope) -> bytes:
    return event.model_dump_json(exclude_none=True).encode()


def print_report(
    report: ImportReport, source: str, dry_run: bool, compared: bool, reported: str | None = None
) -> None:
    """The counts on stdout, refused rows and what became of the report (`reported`) on
    stderr; exits 1 if any row was refused."""
    for reason in report.refused[:SHOWN_REFUSALS]:
        click.echo(reason, err=True)
    if len(report.refused) > SHOWN_REFUSALS:
        click.echo(f"… and {len(report.refused) - SHOWN_REFUSALS} more refused", err=True)
    click.echo(
        f"{source}: read {report.rows} rows; refused {len(report.refused)}; sanctions:"
        f" {report.imposed} imposed, {report.amended} amended, {report.lifted} lifted,"
        f" {report.unchanged} unchanged; {report.vendors} vendors registered"
    )
    if report.by_identifier or report.by_name or report.review:
        click.echo(
            f"vendors matched: {report.by_identifier} by identifier, {report.by_name} by name"
            f" and country (score {JOIN_SCORE:.0f}); {len(report.review)} possible same as"
            " for review"
        )
        for line in report.review:
            click.echo(line)
    if not compared:
        click.echo("no database given: every row imposed, nothing amended or lifted", err=True)
    print_sent(dry_run, report.events_sent, report.events_new, report.events_known)
    if reported is not None:
        click.echo(reported, err=True)
    if report.refused:
        raise SystemExit(1)


def print_sent(dry_run: bool, to_kafka: int, new: int, known: int) -> None:
    """What an import sent: nothing (a dry run), into Kafka (ingest judges them later), or
    into the embedded log, new or taken before."""
    if dry_run:
        click.echo("dry run: nothing was sent")
    elif to_kafka:
        click.echo(f"sent {to_kafka} events to Kafka; ingest records them")
    else:
        click.echo(f"events: {new} new, {known} taken before (the same import sent again)")
