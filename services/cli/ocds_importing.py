"""`vendorwatch import ocds FILE`: an OCDS 1.1 release or record package into either mode's
event log, as ordinary catalog events through ingest (services/imports/ocds.py), with a report
of what became of every party, award and contract.

A contract register is not a snapshot of sanctions: nothing is lifted when a process is no
longer in the file. What the registry already has is read first (the vendors this package
names, and who holds their identifiers), so a vendor registered before, by an earlier import
or by hand under the same identifier, is not registered again and its contracts go to it.
The events' ids depend only on what they say: the same file again changes nothing.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import asyncpg
import click

from services.cli.importing import print_sent, send_report, target
from services.cli.publishing import BATCH_LINES, SHOWN_REFUSALS, Send
from services.events.vendor import VendorRegistered
from services.imports.ocds import Accounted, Known, Mapped, Outcome, mapped
from services.imports.ocds_package import PackageError
from services.imports.report import ImportedFile, ImportReport
from services.platform.errors import StartupError
from services.platform.settings import Settings
from services.registry import vendor_repository
from services.registry.names import normalize_identifier

NAME = "ocds"


@dataclass
class Sent:
    new: int = 0
    known: int = 0  # taken before: the same import sent again
    to_kafka: int = 0  # ingest judges them later
    refused: int = 0


async def _known(database_url: str, first: Mapped) -> Known:
    """What the registry has of the vendors a mapping with nothing known would register."""
    registered = [e for e in first.events if isinstance(e.payload, VendorRegistered)]
    keys = list(
        {
            normalize_identifier(ref.scheme, ref.value)
            for e in registered
            if isinstance(e.payload, VendorRegistered)
            for ref in e.payload.identifiers
        }
    )
    conn = await asyncpg.connect(database_url)
    try:
        vendors = await vendor_repository.existing_vendors(conn, [e.vendor_id for e in registered])
        owners = await vendor_repository.identifier_owners(conn, keys)
    finally:
        await conn.close()
    return Known(frozenset(vendors), owners)


def read(file: BinaryIO) -> tuple[object, str]:
    """The package, and the SHA-256 of the file's bytes."""
    raw = file.read()
    try:  # UTF-8, with a byte-order mark or not
        return json.loads(raw.decode("utf-8-sig")), hashlib.sha256(raw).hexdigest()
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise StartupError(f"{getattr(file, 'name', 'input')}: not JSON: {error}") from None


async def _send(result: Mapped, send: Send, sent: Sent) -> list[str]:
    """Sends the events a batch at a time; the reasons of those refused."""
    reasons = []
    events = iter(result.events)
    while batch := list(itertools.islice(events, BATCH_LINES)):
        raws = [e.model_dump_json(exclude_none=True).encode() for e in batch]
        for event, verdict in zip(batch, await send(raws), strict=True):
            if verdict.refused is not None:
                sent.refused += 1
                reasons.append(f"{event.event_type} {event.vendor_id}: {verdict.refused}")
            elif verdict.new is None:
                sent.to_kafka += 1
            elif verdict.new:
                sent.new += 1
            else:
                sent.known += 1
    return reasons


async def run(
    file: BinaryIO,
    kafka: str | None,
    database_url: str | None,
    data_dir: Path | None,
    dry_run: bool,
) -> None:
    """`vendorwatch import ocds`: into Kafka if given, else the chosen embedded event log;
    its report last, as a list's is (`import.reported`: the processes read as its rows, the
    vendors registered and known, what was refused)."""
    package, digest = read(file)
    try:
        result = mapped(package)
    except PackageError as error:
        raise StartupError(f"{getattr(file, 'name', 'input')}: {error}") from None
    sent, reasons, said = Sent(), list[str](), None
    async with target(kafka, database_url, data_dir, dry_run) as (url, send):
        clock = Settings(database_url=url or "", kafka_bootstrap=kafka).clock
        started = clock.now()
        if url is not None:
            result = mapped(package, await _known(url, result))
        if send is not None:
            reasons = await _send(result, send, sent)
            name = Path(getattr(file, "name", "-")).name
            done = ImportedFile(NAME, name, digest, started, clock.now(), url is not None)
            said = await send_report(_report(result, sent, reasons), done, send)
    if said is not None:
        click.echo(said, err=True)
    print_report(result, sent, reasons, dry_run, compared=url is not None)


def _report(result: Mapped, sent: Sent, reasons: list[str]) -> ImportReport:
    """An OCDS import as an import report: a process is a row; no sanction."""
    report = ImportReport(
        rows=result.processes,
        vendors=result.vendors_registered,
        by_identifier=result.vendors_known,
        events_new=sent.new,
        events_known=sent.known,
        events_sent=sent.to_kafka,
    )
    for accounted in result.refused:
        report.refuse(0, _line(accounted))
    for reason in reasons:
        report.refuse(0, f"refused by ingest: {reason}")
    return report


def _line(accounted: Accounted) -> str:
    return f"{accounted.kind} {accounted}"


def print_report(
    result: Mapped, sent: Sent, reasons: list[str], dry_run: bool, compared: bool
) -> None:
    """The counts on stdout; what was refused or not imported (other than parties that are
    not vendors) on stderr. Exits 1 if anything was refused."""
    noted = [
        f"{a.outcome.value}: {_line(a)}"
        for a in result.accounted
        if a.outcome is Outcome.REFUSED or (a.outcome is Outcome.NOT_IMPORTED and a.kind != "party")
    ] + [f"refused by ingest: {reason}" for reason in reasons]
    for line in noted[:SHOWN_REFUSALS]:
        click.echo(line, err=True)
    if len(noted) > SHOWN_REFUSALS:
        click.echo(f"… and {len(noted) - SHOWN_REFUSALS} more", err=True)

    def counts(kind: str) -> str:
        return ", ".join(
            f"{result.count(kind, outcome)} {outcome.value}"
            for outcome in (Outcome.APPLIED, Outcome.NOT_IMPORTED, Outcome.REFUSED)
        )

    click.echo(
        f"{NAME}: read {result.processes} processes; parties: {counts('party')};"
        f" awards: {counts('award')}; contracts: {counts('contract')}"
    )
    click.echo(
        f"vendors: {result.vendors_registered} registered, {result.vendors_known} already known;"
        f" contract records: {result.contracts_awarded} awarded, {result.amended} amended,"
        f" {result.terminated} terminated"
    )
    if not compared:
        click.echo("no database given: every vendor registered, none matched", err=True)
    print_sent(dry_run, sent.to_kafka, sent.new, sent.known)
    if result.refused or sent.refused:
        raise SystemExit(1)
