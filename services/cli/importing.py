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
import hashlib
import io
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO

import click

from services.cli import database_choice
from services.cli.import_messages import (
    REFUSALS_OPTION,
    lost_partway,
    mass_lift_refused,
    print_report,
    refusals_writer,
    stopped_by_file,
)
from services.cli.import_start import recorded_state
from services.cli.lost_partway import said_if_lost
from services.cli.publishing import (
    BATCH_LINES,
    Send,
    progress_bar,
    to_embedded,
    to_kafka,
)
from services.cli.registry_caught_up import judged_before_reading
from services.cli.registry_clock import registry_clock
from services.events.base import EventEnvelope
from services.imports import mass_lifts
from services.imports.csv_rows import UnreadableFile, unreadable_csv
from services.imports.entry_planning import Pending
from services.imports.file_encoding import not_utf8, rereadable
from services.imports.planning import CSV_LISTS, planned_events
from services.imports.report import (
    ImportedFile,
    ImportReport,
    candidate_listings,
    report_event,
)
from services.imports.scratch import Scratch
from services.platform.clock import Clock
from services.platform.errors import StartupError
from services.platform.settings import Settings

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer


async def _send_all(
    pending: Iterator[Pending], send: Send, report: ImportReport, advanced: Callable[[], None]
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


class Digesting(io.RawIOBase):
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
    bodies: tuple[str, ...] = (),
    empty_allowed: bool = False,
    mass_lift_allowed: bool = False,
    refusals: IO[str] | None = None,
) -> None:
    """`vendorwatch import`: into Kafka if given, else the chosen embedded event log; the
    report is sent last, as an `import.reported` event (imports/report.py). `bodies`,
    `empty_allowed`: see `planning.planned_events`; `mass_lift_allowed`: a file that would
    lift much of its list is imported (imports/mass_lifts.py), not refused; `refusals`: where
    every refused row is written (`import_messages.refusals_writer`)."""
    # The settings checked before a database is chosen, as `up` checks them: a bad
    # VENDORWATCH_TIMEZONE was said once an embedded PostgreSQL had been started for the
    # import. Only their clock is the import's, and only while no registry runs on the
    # database (known later, `_imported`): a running one's time zone is the import's.
    clock = Settings(database_url=database_url or "", kafka_bootstrap=kafka).clock
    if source == "ocds":  # a contract register, not a list: an importer of its own
        from services.cli import ocds_importing  # it imports this module

        await ocds_importing.run(file, kafka, database_url, data_dir, dry_run, clock)
        return
    name = Path(getattr(file, "name", "-")).name  # a pipe's is "<stdin>"
    with rereadable(file) as checked:
        await _import_list(
            source,
            checked,
            name,
            kafka,
            database_url,
            data_dir,
            clock,
            dry_run,
            bodies,
            empty_allowed,
            mass_lift_allowed,
            refusals,
        )


async def _import_list(
    source: str,
    file: BinaryIO,
    name: str,
    kafka: str | None,
    database_url: str | None,
    data_dir: Path | None,
    clock: Clock,
    dry_run: bool,
    bodies: tuple[str, ...],
    empty_allowed: bool,
    mass_lift_allowed: bool,
    refusals: IO[str] | None,
) -> None:
    """A list's import from a file that can be read twice (`name`: as the report gives it)."""
    if (problem := not_utf8(file)) is not None:
        raise click.ClickException(
            f"{problem}: a list must be UTF-8 (Excel: save as “CSV UTF-8”); nothing was sent"
        )
    if source in CSV_LISTS and (problem := unreadable_csv(file)) is not None:
        raise click.ClickException(
            f"{problem}: nothing was sent; correct the file and import it again"
        )
    report = ImportReport(refusals=None if refusals is None else refusals_writer(refusals))
    digesting = Digesting(file)
    stream = io.TextIOWrapper(io.BufferedReader(digesting), encoding="utf-8-sig", newline="")
    async with target(kafka, database_url, data_dir, dry_run) as (url, send):

        def told(what: str, where: str) -> str:
            return lost_partway(what, where, report, to_kafka=bool(kafka))

        async with said_if_lost(url or "", kafka or "", told):
            said = await _imported(
                source,
                file,
                stream,
                digesting,
                name,
                kafka,
                url,
                send,
                clock,
                report,
                bodies,
                empty_allowed,
                mass_lift_allowed,
            )
    written_to = None if refusals is None else getattr(refusals, "name", REFUSALS_OPTION)
    print_report(report, source, dry_run, url is not None, said, written_to)


async def _imported(
    source: str,
    file: BinaryIO,
    stream: io.TextIOWrapper,
    digesting: Digesting,
    name: str,
    kafka: str | None,
    url: str | None,
    send: Send | None,
    clock: Clock,
    report: ImportReport,
    bodies: tuple[str, ...],
    empty_allowed: bool,
    mass_lift_allowed: bool,
) -> str | None:
    """The import's work once its database and target are chosen: what became of its report
    (`send_report`), None for a dry run. A file that would lift much of its list is refused
    before anything is sent (a dry run's report says so) unless `mass_lift_allowed`.
    `clock`: this shell's, replaced by the running registry's (cli/registry_clock.py)."""
    if url:
        clock = await registry_clock(url, clock, refused="nothing was sent")
    started = clock.now()
    # The import's day, in the registry's time zone: when lifts and amendments apply.
    today = clock.today()
    if url and not kafka:
        await judged_before_reading(url, dry_run=send is None)
    # What the import learns of each entity, on disk (imports/scratch.py).
    with Scratch() as scratch:
        if url:
            await recorded_state(url, source, scratch)
        with said_in_one_line(report):
            lifting = mass_lifts.foreseen(source, file, scratch.sanctions, today, bodies)
        if lifting.massive and not mass_lift_allowed:
            if send is not None:
                raise click.ClickException(f"{lifting.said()}; {mass_lift_refused()}")
            report.mass_lift = lifting.said()
        pending = planned_events(source, stream, scratch, today, report, bodies, empty_allowed)
        # A dry run sends nothing: its bar says so, and moves as the file is read.
        label = "reading (dry run: nothing is sent)" if send is None else "importing"
        with progress_bar(file, label) as progress, said_in_one_line(report):
            done = 0

            def advanced() -> None:  # by the bytes of the file read so far
                nonlocal done
                with contextlib.suppress(OSError, ValueError):
                    now = file.tell()
                    progress(now - done)
                    done = now

            if send is None:
                while list(itertools.islice(pending, BATCH_LINES)):
                    advanced()
            else:
                await _send_all(pending, send, report, advanced)
    digesting.readall()  # what the reader left unread (a trailer) is the file's too
    read = ImportedFile(
        source,
        name,
        digesting.sha256.hexdigest(),
        started,
        clock.now(),
        compared=url is not None,
    )
    return None if send is None else await send_report(report, read, send)


@contextlib.contextmanager
def said_in_one_line(report: ImportReport) -> Iterator[None]:
    """A file found unreadable (a header without a required column, an export whose first
    line is not JSON, a row the CSV reader cannot read) said in one line with what was sent
    (`stopped_by_file`), not a traceback: by the foresight of its lifts (which reads it first,
    once something is recorded) as by the reading that plans its events."""
    try:
        yield
    except UnreadableFile as error:
        raise click.ClickException(stopped_by_file(error, report)) from None


async def send_report(report: ImportReport, file: ImportedFile, send: Send) -> str:
    """Sends an import's report once its events are sent, then the listings of its review
    candidates beyond the report's own; what to tell of it (its id, or why it or a listing
    was refused). It says what the importer did: the registry applies each vendor's events in
    their own order, so a report may be read before all it counts is applied."""
    reported = report_event(report, file)
    listings = candidate_listings(report, reported)
    # One key, one batch: the listings stay after their report in either mode's log.
    verdict, *listed = await send([_raw(e) for e in (reported, *listings)])
    if verdict.refused:
        return verdict.refused
    said = f"import report {reported.event_id} (query importReport)"
    refused = next((v.refused for v in listed if v.refused), None)
    return said if refused is None else f"{said}; a listing of its candidates refused: {refused}"


def _raw(event: EventEnvelope) -> bytes:
    return event.model_dump_json(exclude_none=True).encode()
