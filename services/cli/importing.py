"""`vendorwatch import SOURCE FILE`: a debarment list into either mode's event log, as
ordinary catalog events through ingest (services/imports/), a batch at a time, with a report.

Every row is accounted for: turned into events (a vendor's registration on its first row, a
debarment on every row) or refused with its line and reason. Importing the same file again
sends the same events (their ids depend only on what they say), which ingest takes once:
the report counts them as recorded before.
"""

from __future__ import annotations

import contextlib
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TextIO

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
from services.imports import ebrd, idb, worldbank
from services.imports.entries import ListEntry, RowProblem
from services.imports.events import entry_events, vendor_id

READERS: dict[str, Callable[[TextIO], Iterator[ListEntry | RowProblem]]] = {
    "worldbank": worldbank.entries,
    "idb": idb.entries,
    "ebrd": ebrd.entries,
}


@dataclass
class ImportReport:
    rows: int = 0
    vendors: int = 0
    sanctions: int = 0
    events_new: int = 0
    events_known: int = 0  # recorded by an earlier import
    events_sent: int = 0  # into Kafka: ingest judges them later
    refused: list[str] = field(default_factory=list)  # "line N: reason"

    def refuse(self, line: int, reason: str) -> None:
        self.refused.append(f"line {line}: {reason}")


@dataclass(frozen=True)
class _Pending:
    line: int
    raw: bytes


def _events(source: str, stream: TextIO, report: ImportReport) -> Iterator[_Pending]:
    registered: set[str] = set()  # the vendors this file registered so far
    for item in READERS[source](stream):
        report.rows += 1
        if isinstance(item, RowProblem):
            report.refuse(item.line, item.reason)
            continue
        vendor = vendor_id(item)
        try:
            made = entry_events(item, register=vendor not in registered)
        except ValueError as error:
            report.refuse(item.line, str(error))
            continue
        if vendor not in registered:
            registered.add(vendor)
            report.vendors += 1
        report.sanctions += 1
        for event in made.events:
            yield _Pending(item.line, event.model_dump_json(exclude_none=True).encode())


async def _send_all(
    pending: Iterator[_Pending], send: Send, report: ImportReport, advanced: Callable[[], None]
) -> None:
    while batch := list(itertools.islice(pending, BATCH_LINES)):
        for sent, verdict in zip(batch, await send([p.raw for p in batch]), strict=True):
            if verdict.refused is not None:
                report.refuse(sent.line, verdict.refused)
            elif verdict.new is None:
                report.events_sent += 1
            elif verdict.new:
                report.events_new += 1
            else:
                report.events_known += 1
        advanced()


async def run(
    source: str,
    file: BinaryIO,
    kafka: str | None,
    database_url: str | None,
    data_dir: Path | None,
    dry_run: bool,
) -> None:
    """`vendorwatch import`: into Kafka if given, else the chosen embedded event log."""
    report = await _import(source, file, kafka, database_url, data_dir, dry_run)
    print_report(report, source, dry_run)


async def _import(
    source: str,
    file: BinaryIO,
    kafka: str | None,
    database_url: str | None,
    data_dir: Path | None,
    dry_run: bool,
) -> ImportReport:
    report = ImportReport()
    stream = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    with progress_bar(file) as progress:
        done = 0

        def advanced() -> None:  # by the bytes of the file read so far
            nonlocal done
            with contextlib.suppress(OSError, ValueError):
                now = file.tell()
                progress(now - done)
                done = now

        pending = _events(source, stream, report)
        if dry_run:
            for _ in pending:
                pass
            return report
        async with contextlib.AsyncExitStack() as stack:
            if kafka:
                send = await stack.enter_async_context(to_kafka(kafka))
            else:
                url = await stack.enter_async_context(
                    database_choice.database(database_url, data_dir)
                )
                send = await stack.enter_async_context(to_embedded(url))
            await _send_all(pending, send, report, advanced)
    return report


def print_report(report: ImportReport, source: str, dry_run: bool) -> None:
    """The counts on stdout, refused rows on stderr; exits 1 if any row was refused."""
    for reason in report.refused[:SHOWN_REFUSALS]:
        click.echo(reason, err=True)
    if len(report.refused) > SHOWN_REFUSALS:
        click.echo(f"… and {len(report.refused) - SHOWN_REFUSALS} more refused", err=True)
    click.echo(
        f"{source}: read {report.rows} rows: {report.vendors} vendors, {report.sanctions}"
        f" sanctions; refused {len(report.refused)}"
    )
    if dry_run:
        click.echo("dry run: nothing was sent")
    elif report.events_sent:
        click.echo(f"sent {report.events_sent} events to Kafka; ingest records them")
    else:
        click.echo(
            f"events: {report.events_new} new, {report.events_known} recorded before"
            " (by an earlier import of the same rows)"
        )
    if report.refused:
        raise SystemExit(1)
