"""`vendorwatch import ocds FILE`: an OCDS 1.1 release or record package into either mode's
event log, as ordinary catalog events through ingest (services/imports/ocds/mapping.py), with
a report of what became of every party, award and contract.

A contract register is not a snapshot of sanctions: nothing is lifted when a process is no
longer in the file. The file is read to its end first, into the import's scratch database (a
broken file sends nothing). Then what the registry already has is read into it a page at a
time (the `ocds:` vendors, and who holds every identifier), so a vendor registered before, by
an earlier import or by hand under the same identifier, is not registered again and its
contracts go to it; and the contracts earlier imports recorded, as they stand, so that one is
amended to a newer file's terms rather than awarded again. The events are sent as they are
made, a batch at a time. Their ids depend only on what they say: the same file again sends
nothing new.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import click

from services.cli.import_messages import print_sent
from services.cli.import_start import identifier_pages, keyed_pages
from services.cli.importing import Digesting, send_report, target
from services.cli.publishing import BATCH_LINES, SHOWN_REFUSALS, Send
from services.cli.registry_caught_up import judged_before_reading
from services.events.base import EventEnvelope
from services.imports.file_encoding import not_utf8, rereadable
from services.imports.ocds.mapping import mapped
from services.imports.ocds.outcomes import Accounted, Outcome, Tally
from services.imports.ocds.reading import PackageError, read
from services.imports.ocds.recorded import RecordedContract
from services.imports.ocds.scratch import OcdsScratch
from services.imports.report import ImportedFile, ImportReport
from services.platform.clock import Clock
from services.platform.errors import StartupError
from services.platform.postgres import database
from services.registry.domain.names import IdentifierKey

NAME = "ocds"
# The vendors an OCDS import may have registered before, a page at a time ($1: the last).
_OCDS_VENDORS = """SELECT vendor_id FROM registry_vendors
    WHERE starts_with(vendor_id, 'ocds:') AND vendor_id > $1 ORDER BY vendor_id LIMIT $2"""
# The contracts an OCDS import may have recorded before, as they stand, a page at a time.
# With when its terms were stated: its last amendment's time, else its award's (else when the
# registry recorded it, for a row written other than from the log).
_OCDS_CONTRACTS = """SELECT c.contract_id, c.vendor_id, c.ends_on, c.amount, c.currency,
        c.terminated_on IS NOT NULL AS terminated,
        coalesce(c.terms_amended_at, s.occurred_at, c.recorded_at) AS terms_as_of
    FROM registry_contracts c LEFT JOIN event_store s ON s.event_id = c.event_id
    WHERE starts_with(c.contract_id, 'ocds:') AND c.contract_id > $1
    ORDER BY c.contract_id LIMIT $2"""


@dataclass
class Sent:
    new: int = 0
    known: int = 0  # taken before: the same import sent again
    to_kafka: int = 0  # ingest judges them later
    refused: int = 0


async def _know(database_url: str, scratch: OcdsScratch) -> None:
    """What the registry has that a package's vendors may be: the vendors of earlier OCDS
    imports (a vendor's id is `ocds:…` or its identifier's holder's) and who holds every
    identifier; and the contracts of earlier imports, as they stand; into `scratch` a page
    at a time (memory bounded whatever the registry's size)."""
    conn = await database.connect(database_url)
    try:
        async for rows in keyed_pages(conn, _OCDS_VENDORS, "vendor_id"):
            scratch.know((r["vendor_id"] for r in rows), ())
        async for rows in identifier_pages(conn):
            owners = ((IdentifierKey(r["scheme"], r["value"]), r["vendor_id"]) for r in rows)
            scratch.know((), owners)
        async for rows in keyed_pages(conn, _OCDS_CONTRACTS, "contract_id"):
            scratch.know_contracts(
                (
                    r["contract_id"],
                    RecordedContract(
                        r["vendor_id"],
                        r["ends_on"],
                        r["amount"],
                        r["currency"],
                        r["terminated"],
                        r["terms_as_of"],
                    ),
                )
                for r in rows
            )
    finally:
        await conn.close()


async def _send(events: Iterator[EventEnvelope], send: Send, sent: Sent) -> list[str]:
    """Sends the events a batch at a time as they are made; the reasons of those refused."""
    reasons = []
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
    clock: Clock,
) -> None:
    """`vendorwatch import ocds`: into Kafka if given, else the chosen embedded event log;
    its report last, as a list's is (`import.reported`: the processes read as its rows, the
    vendors registered and known, what was refused)."""
    name = Path(getattr(file, "name", "-")).name
    with rereadable(file) as checked:
        # JSON is UTF-8: a UTF-16 package (Excel's, PowerShell's) was "lexical error: invalid
        # char in json text" at byte 0, which said nothing of what to do about it.
        if (problem := not_utf8(checked)) is not None:
            raise StartupError(
                f"{name}: {problem}: an OCDS package must be UTF-8 (JSON is); nothing was sent"
            )
        await _import(checked, name, kafka, database_url, data_dir, dry_run, clock)


async def _import(
    file: BinaryIO,
    name: str,
    kafka: str | None,
    database_url: str | None,
    data_dir: Path | None,
    dry_run: bool,
    clock: Clock,
) -> None:
    """An OCDS package's import from a file that can be read twice (`name`: as the report
    gives it; `clock`: the settings' checked first, for when the import started and ended,
    instants, whatever the zone: an OCDS import dates nothing by the registry's day)."""
    digesting = Digesting(file)  # the file's SHA-256, for the report
    tally, sent, reasons, said = Tally(shown=SHOWN_REFUSALS), Sent(), list[str](), None
    with OcdsScratch() as scratch:
        try:
            package = read(io.BufferedReader(digesting), scratch)
        except PackageError as error:
            raise StartupError(f"{name}: {error}; nothing was sent") from None
        digesting.readall()  # what the parser left unread is the file's too
        digest = digesting.sha256.hexdigest()
        async with target(kafka, database_url, data_dir, dry_run) as (url, send):
            started = clock.now()
            if url is not None:
                if not kafka:
                    await judged_before_reading(url, dry_run=send is None)
                await _know(url, scratch)
            events = mapped(package, scratch, tally)
            try:
                if send is None:
                    for _ in events:
                        pass
                else:
                    reasons = await _send(events, send, sent)
            except PackageError as error:  # raised before the first event
                raise StartupError(f"{name}: {error}; nothing was sent") from None
            if send is not None:
                done = ImportedFile(NAME, name, digest, started, clock.now(), url is not None)
                said = await send_report(_report(tally, sent, reasons), done, send)
    if said is not None:
        click.echo(said, err=True)
    print_report(tally, sent, reasons, dry_run, compared=url is not None)


def _report(tally: Tally, sent: Sent, reasons: list[str]) -> ImportReport:
    """An OCDS import as an import report: a process is a row; no sanction."""
    report = ImportReport(
        rows=tally.processes,
        vendors=tally.vendors_registered,
        by_identifier=tally.vendors_known,
        events_new=sent.new,
        events_known=sent.known,
        events_sent=sent.to_kafka,
    )
    for accounted in tally.refused:
        report.refuse(0, _line(accounted))
    for reason in reasons:
        report.refuse(0, f"refused by ingest: {reason}")
    return report


def _line(accounted: Accounted) -> str:
    return f"{accounted.kind} {accounted}"


def print_report(
    tally: Tally, sent: Sent, reasons: list[str], dry_run: bool, compared: bool
) -> None:
    """The counts on stdout; what was refused or not imported (other than parties that are
    not vendors), or applied but for part of it, on stderr, the first SHOWN_REFUSALS of it.
    Exits 1 if anything was refused."""
    noted = [f"{a.outcome.value}: {_line(a)}" for a in tally.noted] + [
        f"refused by ingest: {reason}" for reason in reasons
    ]
    for line in noted[:SHOWN_REFUSALS]:
        click.echo(line, err=True)
    more = tally.noted_count + len(reasons) - SHOWN_REFUSALS
    if more > 0:
        click.echo(f"… and {more} more", err=True)

    def counts(kind: str) -> str:
        # A party whose vendor the registry has is unchanged (nothing is sent for it).
        return ", ".join(f"{tally.count(kind, outcome)} {outcome.value}" for outcome in Outcome)

    click.echo(
        f"{NAME}: read {tally.processes} process{'' if tally.processes == 1 else 'es'};"
        f" parties: {counts('party')};"
        f" awards: {counts('award')}; contracts: {counts('contract')}"
    )
    click.echo(
        f"vendors: {tally.vendors_registered} registered, {tally.vendors_known} already known;"
        f" contract records: {tally.contracts_awarded} awarded, {tally.amended} amended,"
        f" {tally.terminated} terminated"
    )
    if not compared:
        click.echo("no database given: every vendor registered, none matched", err=True)
    print_sent(dry_run, sent.to_kafka, sent.new, sent.known)
    if tally.refused or sent.refused:
        raise SystemExit(1)
