"""What a list's import tells whoever ran it: its counts and refused rows, what it sent, and,
stopped partway (the file, or PostgreSQL or Kafka lost), what it had done and what to do."""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import IO

import click

from services.cli.publishing import BATCH_LINES, SHOWN_REFUSALS
from services.imports import mass_lifts
from services.imports.csv_rows import UnreadableFile
from services.imports.report import ImportReport
from services.imports.resolution import JOIN_SCORE
from services.platform.wording import plural

# The option that writes every refused row to a file, and that file's header.
REFUSALS_OPTION = "--refusals"
REFUSALS_HEADER = "line,reason"


def lost_partway(what: str, where: str, report: ImportReport, *, to_kafka: bool) -> str:
    """What to tell of an import that lost PostgreSQL or Kafka partway: what it had recorded
    (or sent), each batch whole or not at all, the rest not, nor the import's report. The
    batch under way when it was lost may have been recorded too, unconfirmed: its commit can
    land as the connection goes (a CI run saw 1,500 events stored where 1,000 were said)."""
    done = report.events_sent if to_kafka else report.events_new + report.events_known
    verb = "sent" if to_kafka else "recorded"
    lost = f"lost {what} at {where} partway through the import"
    maybe = f"perhaps the batch under way too (up to {BATCH_LINES} events, unconfirmed)"
    again = f"import the file again once it is back (the events {verb} are recognised and not"
    again += f" {verb} twice)"
    if not done:
        return f"{lost}: no batch confirmed {verb}, {maybe}; {again}"
    return (
        f"{lost}: {plural(done, 'event', grouped=True)} {verb} (the file's first"
        f" {plural(report.rows, 'row', grouped=True)} read), {maybe}, the rest not, nor the"
        f" import's report; {again}"
    )


def stopped_by_file(error: UnreadableFile, report: ImportReport) -> str:
    """What to tell of an import the file stopped: a file refused at its header or for having
    no row (or in a dry run) sent nothing, and to say otherwise sent whoever ran it looking
    for what it might have sent."""
    if not report.sent:
        return f"{error}: nothing was sent; correct the file and import it again"
    return (
        f"{error}: the import stopped there; correct the file and import it again (the"
        f" {plural(report.sent, 'event', grouped=True)} sent are recognised and not sent twice)"
    )


def mass_lift_refused() -> str:
    """What to do with a file refused for what it would lift (imports/mass_lifts.py)."""
    return (
        "nothing was sent. Check the file is the whole list; if the list did drop them,"
        f" import it with {mass_lifts.ALLOW} (--dry-run shows what it would do)"
    )


def print_report(
    report: ImportReport,
    source: str,
    dry_run: bool,
    compared: bool,
    reported: str | None = None,
    refusals: str | None = None,
) -> None:
    """The counts on stdout, refused rows and what became of the report (`reported`) on
    stderr: the first SHOWN_REFUSALS refused rows, the rest by cause, and where every one
    is (`refusals`: the file they were written to, if any); exits 1 if any row was refused,
    or (a dry run) the import would be refused for what it lifts."""
    for reason in report.refused[:SHOWN_REFUSALS]:
        click.echo(reason, err=True)
    if report.refused_count > SHOWN_REFUSALS:
        more = report.refused_count - SHOWN_REFUSALS
        click.echo(f"… and {more:,} more refused; {by_cause(report)}", err=True)
    if (refusals is not None and report.refused_count) or report.refused_count > SHOWN_REFUSALS:
        click.echo(refusals_said(refusals), err=True)
    if (withheld := report.withheld_line()) is not None:
        click.echo(withheld, err=True)
    for note in report.notes:
        click.echo(note, err=True)
    click.echo(
        f"{source}: read {report.rows} rows; refused {report.refused_count}; sanctions:"
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
    if report.ended:
        click.echo(f"ended: {report.ended} sanction(s) no longer listed, already over (not lifted)")
    if report.names_amended:
        click.echo(
            f"names amended: {report.names_amended} vendors named otherwise by the list"
            f" ({report.renamed} renamed, {report.corrected} legal names corrected, the"
            " others given the names they lacked as aliases)"
        )
    if not compared:
        click.echo("no database given: every row imposed, nothing amended or lifted", err=True)
    print_sent(dry_run, report.events_sent, report.events_new, report.events_known)
    if reported is not None:
        click.echo(reported, err=True)
    if report.mass_lift is not None:
        click.echo(
            f"the import would be refused: {report.mass_lift} (to import it all the same:"
            f" {mass_lifts.ALLOW})",
            err=True,
        )
    if report.refused or report.mass_lift is not None:
        raise SystemExit(1)


def by_cause(report: ImportReport) -> str:
    """The rows refused by cause (`report.causes`), each with its count and the first and
    last of its lines: a cause the first rows shown did not show is not lost among the
    rest."""
    causes = "; ".join(
        f"{cause}: {tally.count:,}{_lines(tally.first_line, tally.last_line)}"
        for cause, tally in report.causes.items()
    )
    return f"all {report.refused_count:,} by cause: {causes}"


def _lines(first: int, last: int) -> str:
    if not first:  # no row: a lift refused
        return ""
    return f" (line {first})" if first == last else f" (first line {first}, last line {last})"


def refusals_said(written_to: str | None) -> str:
    """Where every refused row's line and reason is: the file given, or how to have one."""
    if written_to is not None:
        return f"every refused row's line and reason: {written_to} ({REFUSALS_HEADER} CSV)"
    return (
        f"every refused row's line and reason: import with {REFUSALS_OPTION} FILE (a"
        f" {REFUSALS_HEADER} CSV; with --dry-run, nothing is sent)"
    )


def refusals_writer(file: IO[str]) -> Callable[[int, str], None]:
    """Writes each refused row to `file` as it is refused, a CSV of its line (empty for no
    row) and reason, under a header: any number of them, in bounded memory."""
    writer = csv.writer(file)
    writer.writerow(REFUSALS_HEADER.split(","))

    def refused(line: int, reason: str) -> None:
        writer.writerow([line or "", reason])

    return refused


def print_sent(dry_run: bool, to_kafka: int, new: int, known: int) -> None:
    """What an import sent: nothing (a dry run), into Kafka (ingest judges them later), or
    into the embedded log, new or taken before."""
    if dry_run:
        click.echo("dry run: nothing was sent")
    elif to_kafka:
        click.echo(f"sent {plural(to_kafka, 'event')} to Kafka; ingest records them")
    else:
        click.echo(f"events: {new} new, {known} taken before (the same import sent again)")
