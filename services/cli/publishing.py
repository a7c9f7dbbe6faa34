"""`vendorwatch publish`: JSON lines from a file into either mode's event log, a batch at a
time (memory stays constant whatever the file's size), with ingest's verdict on every line.

Embedded mode hands each batch to ingest in this process: what it stores is in the log of
record. Kafka carries raw lines to ingest workers that judge them later, so publish judges
each line by the same rules first (the catalog's models, who may say what) and still sends
every line: ingest then dead-letters the refused ones there too. Either way the registry
judges the stored events later, as it applies them, and may refuse them still: publish says
"stored" or "sent", not "accepted", and waits for the registry's verdicts only when asked
(`--wait`, publish_verdicts.py).
"""

from __future__ import annotations

import codecs
import contextlib
import itertools
import os
import re
import stat
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import click
from aiokafka.errors import UnknownTopicOrPartitionError

from services.cli import database_choice
from services.cli.lost_partway import said_if_lost
from services.cli.publish_verdicts import StoredEvents, registry_verdicts, report_verdicts
from services.events.catalog import EventRejected, parse_event, said
from services.ingest.admission import admission_problem, type_problem
from services.ingest.handlers import Accepted, Rejected, ingest_batch
from services.platform.errors import StartupError
from services.platform.eventlog.base import Writer
from services.platform.eventlog.credentials import KafkaCredentials
from services.platform.eventlog.kafka import KafkaEventLog
from services.platform.eventstore import event_queries
from services.platform.postgres.database import open_pool
from services.platform.wording import plural

# One ingest batch (the consumers' batch size too).
BATCH_LINES = 500
# Reasons printed at the end; the rest are counted (every one is in deadLetters).
SHOWN_REFUSALS = 20


@dataclass(frozen=True)
class Verdict:
    """What became of one sent event."""

    refused: str | None = None  # why, when it was refused
    new: bool | None = None  # False: recorded before (a resend); None: not known yet (Kafka)
    event_id: uuid.UUID | None = None  # of an event stored (embedded)
    # Recorded before by an earlier line of the same file, not before the file (embedded).
    repeat: bool = False


# A batch of raw events sent; a verdict per event.
Send = Callable[[list[bytes]], Awaitable[list[Verdict]]]


@dataclass(frozen=True)
class Line:
    number: int  # in the file, from 1
    raw: bytes  # stripped of surrounding whitespace
    size: int  # bytes it took in the file, for the progress bar


@dataclass
class Tally:
    accepted: int = 0
    again: int = 0  # of those accepted, the events the log held before the file (sent again)
    repeated: int = 0  # of those accepted, lines repeating an event an earlier line gave
    refused: int = 0
    reasons: list[str] = field(default_factory=list)  # the first SHOWN_REFUSALS
    # The events stored or held, with their lines, kept for `--wait` only (an event once).
    stored: StoredEvents | None = None

    def count(self, line: Line, verdict: Verdict) -> None:
        reason = verdict.refused
        if reason is None:
            self.accepted += 1
            # A line repeating an earlier one is neither stored now nor held before the file:
            # counted apart, as `--wait`'s line counts the event once (publish_verdicts).
            self.repeated += verdict.repeat
            self.again += verdict.new is False and not verdict.repeat
            if self.stored is not None and verdict.event_id is not None:
                self.stored.add(verdict.event_id, line.number, verdict.new)
            return
        self.refused += 1
        if len(self.reasons) < SHOWN_REFUSALS:
            self.reasons.append(f"line {line.number}: {_in_the_file(reason)}")


def _in_the_file(reason: str) -> str:
    """A JSON parser's position is within the line ("at line 1 column 8"); the line of the
    file is given before it, so only the column is kept."""
    return re.sub(r"\bat line 1 column (\d+)", r"at column \1", reason)


def read_lines(source: BinaryIO) -> Iterator[Line]:
    """Every non-blank line, as sent: malformed ones too, so that ingest dead-letters them."""
    for number, line in enumerate(source, start=1):
        # A file saved with UTF-8's byte-order mark (Windows' editors) opens with it: it is no
        # part of the first event, as the list importers read it (`utf-8-sig`).
        stripped = (line.removeprefix(codecs.BOM_UTF8) if number == 1 else line).strip()
        if stripped:
            yield Line(number, stripped, len(line))


def _batches(lines: Iterable[Line]) -> Iterator[list[Line]]:
    iterator = iter(lines)
    while batch := list(itertools.islice(iterator, BATCH_LINES)):
        yield batch


async def run(
    source: BinaryIO,
    kafka: str | None,
    database_url: str | None,
    data_dir: Path | None,
    wait: bool = False,
) -> None:
    """`vendorwatch publish`: into Kafka if given, else into the chosen embedded event log;
    `wait` (embedded): then for the registry's verdicts."""
    lines = read_lines(source)
    first = next(lines, None)
    if first is None:  # said before connecting anywhere: the file is the mistake
        raise StartupError(f"{getattr(source, 'name', 'input')}: no events in it (JSON lines)")
    tally = Tally(stored=StoredEvents() if wait else None)
    async with contextlib.AsyncExitStack() as stack:
        if kafka:
            await stack.enter_async_context(said_if_lost(kafka=kafka))  # Kafka lost, said where
            send = await stack.enter_async_context(to_kafka(kafka))
            done, where, later = "sent", f"to Kafka at {kafka}", "by ingest"
        else:
            url = await stack.enter_async_context(database_choice.database(database_url, data_dir))
            send = await stack.enter_async_context(to_embedded(url))
            done, where, later = "stored", "in the embedded event log", "already"
        with progress_bar(source) as progress:
            await publish(itertools.chain([first], lines), send, progress, tally)
        ok = report(tally, done, where, later)
        if tally.stored is None and tally.accepted:
            # --wait reads the verdicts in the embedded mode's database only.
            waits = "" if kafka else " (publish --wait waits for them)"
            click.echo(
                "the registry judges them as it applies them, and may still refuse one:"
                f" eventStatus(eventId) gives its verdict{waits}",
                err=True,
            )
        elif tally.stored is not None and tally.stored.lines:
            click.echo("waiting for the registry's verdicts", err=True)
            verdicts = await registry_verdicts(url, tally.stored)
            ok = report_verdicts(verdicts, SHOWN_REFUSALS) and ok
    if not ok:
        raise SystemExit(1)


async def publish(
    lines: Iterable[Line], send: Send, progress: Callable[[int], None], tally: Tally
) -> None:
    """Sends the lines a batch at a time into `tally`, reporting the bytes done to
    `progress`."""
    for batch in _batches(lines):
        verdicts = await send([line.raw for line in batch])
        for line, verdict in zip(batch, verdicts, strict=True):
            tally.count(line, verdict)
        progress(sum(line.size for line in batch))


@contextlib.asynccontextmanager
async def to_kafka(bootstrap: str) -> AsyncIterator[Send]:
    """Publishes as the producers' principal when VENDORWATCH_KAFKA_* say so."""
    log = KafkaEventLog(bootstrap, KafkaCredentials.from_env())
    await log.start()

    async def send(raws: list[bytes]) -> list[Verdict]:
        verdicts = [Verdict(refused=_first_look(raw)) for raw in raws]
        try:
            await log.submit(raws)
        except UnknownTopicOrPartitionError:
            raise StartupError(
                f"Kafka at {bootstrap} has no topic for producers yet; "
                "start the distributed services first (they create their topics)"
            ) from None
        return verdicts

    try:
        yield send
    finally:
        await log.stop()


def _first_look(raw: bytes) -> str | None:
    """What ingest will say of a producer's line before storing it; a conflicting event id
    it can only find when it stores (deadLetters)."""
    try:
        return admission_problem(parse_event(raw), Writer.PRODUCER)
    except EventRejected as rejection:
        event_type = said(raw)[1]
        return (event_type and type_problem(event_type, Writer.PRODUCER)) or rejection.reason


@contextlib.asynccontextmanager
async def to_embedded(database_url: str) -> AsyncIterator[Send]:
    """Ingests in this process, as `vendorwatch up` does: the verdicts are final. An event
    the log held is told apart by where: after the log's last position before the file, an
    earlier line of the file stored it (its repeat); before, the log held it already. Read
    by position, not by keeping every event id sent: memory stays one batch's."""
    pool = await open_pool(database_url)
    async with pool.acquire() as conn:
        before = await event_queries.last_position(conn)

    async def send(raws: list[bytes]) -> list[Verdict]:
        outcomes = await ingest_batch(pool, raws)
        held = [o.envelope.event_id for o in outcomes if isinstance(o, Accepted) and not o.new]
        repeats: set[uuid.UUID] = set()
        if held:
            async with pool.acquire() as conn:
                repeats = await event_queries.stored_after(conn, held, before)
        return [
            Verdict(refused=o.reason)
            if isinstance(o, Rejected)
            else Verdict(
                new=o.new,
                event_id=o.envelope.event_id,
                repeat=not o.new and o.envelope.event_id in repeats,
            )
            for o in outcomes
        ]

    try:
        yield send
    finally:
        await pool.close()


@contextlib.contextmanager
def progress_bar(source: BinaryIO, label: str = "publishing") -> Iterator[Callable[[int], None]]:
    """A bar on a terminal, by bytes of a regular file; nothing otherwise (a pipe's size is
    unknown, and a log file wants no bar). `label`: what is done with the bytes."""
    size = _regular_file_size(source)
    if size is None or not sys.stderr.isatty():
        yield lambda done: None
        return
    with click.progressbar(length=size, label=label, file=sys.stderr) as bar:
        yield bar.update


def _regular_file_size(source: BinaryIO) -> int | None:
    try:
        status = os.fstat(source.fileno())
    except (OSError, ValueError):
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None


def report(tally: Tally, done: str, where: str, later: str) -> bool:
    """The counts on stdout (`done`: what became of the events, stored or sent, `where`),
    the refusals' reasons on stderr; returns whether none was refused."""
    for reason in tally.reasons:
        click.echo(reason, err=True)
    if tally.refused > len(tally.reasons):
        click.echo(f"… and {tally.refused - len(tally.reasons)} more refused", err=True)
    total = tally.accepted + tally.refused
    of_total = f"{tally.accepted - tally.again - tally.repeated} of {plural(total, 'event')}"
    held = f", {tally.again} already in it" if tally.again else ""
    repeated = f", {tally.repeated} repeated in the file" if tally.repeated else ""
    click.echo(f"{done} {of_total} {where}{held}{repeated}; refused {tally.refused}")
    if tally.refused:
        click.echo(f"refused lines are dead-lettered {later} (query deadLetters)", err=True)
    return not tally.refused
