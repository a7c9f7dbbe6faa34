"""An import's report: the tally `vendorwatch import` keeps while it reads a list, and the
`import.reported` event it sends after the import's own events (pure).

The event goes through ingest like the rest, so the registry keeps it for the API and a
rebuild reproduces it. Its id names one run of the importer over one file (the list, the
file's SHA-256 and when the run started): sending the same report again is taken once, and
importing the same file again is another run with a report of its own, saying what that run
changed (nothing: every row unchanged). A report per run rather than per file, because an
id per file would make the second run's report (other counts, other times) conflict with the
first's, which ingest refuses, and an operator who ran an import should find it reported.

Its envelope's `vendor_id` is `import:<source>`: not a vendor, only the key that keeps one
list's reports in order on one partition. The review candidates beyond the first `LISTED` the
report lists follow it under the same key (so after it on its partition) in
`import.candidates_listed` events (`candidate_listings`): at most `PART` candidates and half
an event's byte limit each, their ids from the report's id and the part's offset, so a resent
report's listings are taken once too.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from services.events.base import SHORT_TEXT_MAX_CHARS, TEXT_MAX_CHARS, EventEnvelope, cut
from services.events.catalog import ENVELOPES, MAX_EVENT_BYTES, SCHEMA_VERSION
from services.events.imports import (
    LISTED,
    PART,
    ImportCandidatesListed,
    ImportReported,
    RefusedRow,
    ReviewCandidate,
)
from services.imports.events import NAMESPACE
from services.imports.resolution import Candidate

# What a report's text may hold (the catalog's NonEmptyText and ShortText).
# A listing's candidates take at most this much JSON: well inside an event's limit whatever
# the envelope and however long (or escaped) the names are.
_PART_BYTES = MAX_EVENT_BYTES // 2


# Causes of refusal a report tallies apart (`RefusalCause`); the others are tallied together.
CAUSES = 20


@dataclass
class RefusalCause:
    """Rows refused for one cause (what their reasons name before the first ": ", the field at
    fault for most): how many, and the first and last of their lines."""

    count: int
    first_line: int
    last_line: int


@dataclass
class ImportReport:
    """What an import did so far. `refused` (the first LISTED refused rows) and `review` are
    its printed lines; the report carries the first LISTED of each (`refused_rows`,
    `candidates`) and their counts, its listings the other candidates. Every refused row goes
    to `refusals` too, when given (the importer's file of them): memory stays bounded however
    many rows a file has refused, and none is lost."""

    rows: int = 0
    vendors: int = 0  # registered by this import
    by_identifier: int = 0  # entities that joined a vendor holding their identifier
    by_name: int = 0  # entities that joined the one vendor of their name and country
    review: list[str] = field(default_factory=list)  # "possible same as" lines
    candidates: list[ReviewCandidate] = field(default_factory=list)  # all of them
    imposed: int = 0
    amended: int = 0
    lifted: int = 0
    unchanged: int = 0
    # Recorded sanctions no longer listed, not lifted because rows could not be read or were
    # refused by the catalog: not a refused row of its own (`refused` counts rows), said
    # apart (`withheld_line`).
    withheld: int = 0
    # Recorded sanctions no longer listed and already over (their last day before the
    # import's): not lifted, a lift would change nothing (`deltas.over`).
    ended: int = 0
    # The bodies the file was said to be the whole list of, as their rows' names are read.
    whole_list_of: tuple[str, ...] = ()
    unreadable: int = 0  # of the rows refused, those that hold lifts back (all but ingest's)
    names_amended: int = 0  # vendors whose names the list now gives otherwise
    renamed: int = 0  # of those, renamed (vendor.renamed)
    corrected: int = 0  # of those, their legal name corrected (vendor.updated's legal_name)
    identifiers_added: int = 0  # vendors joined by name that gained the entry's identifiers
    events_new: int = 0
    events_known: int = 0  # taken before: the same import sent again
    events_sent: int = 0  # into Kafka: ingest judges them later
    refused: list[str] = field(default_factory=list)  # "line N: reason", the first LISTED
    refused_count: int = 0  # all of them
    causes: dict[str, RefusalCause] = field(default_factory=dict)  # at most CAUSES + 1
    # Where every refused row goes, its line (0: no row, a lift) and reason, as it is refused.
    refusals: Callable[[int, str], None] | None = None
    notes: list[str] = field(default_factory=list)  # for whoever ran it, not the report
    # A dry run's: why the import itself would be refused (mass_lifts.py), not the report's.
    mass_lift: str | None = None
    refused_rows: list[RefusedRow] = field(default_factory=list)  # the first LISTED

    def refuse(self, line: int, reason: str) -> None:
        self.refused_count += 1
        if self.refusals is not None:
            self.refusals(line, reason)
        cause = refusal_cause(reason)
        if cause not in self.causes and len(self.causes) >= CAUSES:
            cause = OTHER_CAUSES
        if (tally := self.causes.get(cause)) is None:
            self.causes[cause] = RefusalCause(1, line, line)
        else:
            tally.count, tally.last_line = tally.count + 1, line
        if len(self.refused) < LISTED:
            self.refused.append(f"line {line}: {reason}" if line else reason)
            self.refused_rows.append(
                RefusedRow(line=line or None, reason=cut(reason, TEXT_MAX_CHARS))
            )

    def withheld_line(self) -> str | None:
        """What the import says of the lifts it withheld, if any."""
        if not self.withheld:
            return None
        return (
            f"not lifted: {self.withheld:,} sanction(s) the list no longer gives, because"
            f" {self.unreadable:,} row(s) were refused and may list them; correct those"
            " rows and import the list again to lift what it no longer lists"
        )

    def propose(self, line: int, name: str, vendor_id: str, candidate: Candidate) -> None:
        """A "possible same as" for review: the entry at `line` became `vendor_id`."""
        self.review.append(
            f"possible same as: line {line} {name!r} (vendor {vendor_id}) ~"
            f" {candidate.name!r} (vendor {candidate.vendor_id}): score {candidate.score:.1f},"
            f" {candidate.why}"
        )
        self.candidates.append(
            ReviewCandidate(
                line=line,
                name=cut(name, SHORT_TEXT_MAX_CHARS),
                vendor_id=vendor_id,
                candidate_name=cut(candidate.name, SHORT_TEXT_MAX_CHARS),
                candidate_vendor_id=candidate.vendor_id,
                score=round(candidate.score, 1),
                why=cut(candidate.why, SHORT_TEXT_MAX_CHARS),
            )
        )

    @property
    def sent(self) -> int:
        """Events sent through ingest (into either mode's log)."""
        return self.events_new + self.events_known + self.events_sent


# The cause the rows refused for causes past the first CAUSES are tallied under.
OTHER_CAUSES = "other causes"


def refusal_cause(reason: str) -> str:
    """A refused row's cause: what its reason names before its first ": " (the field at
    fault: `停止期間`, `Firm Name`, `legal_name`), or the reason itself when it names none, cut
    short: rows refused alike tallied together however their values differ."""
    named, colon, _ = reason.partition(": ")
    return cut(named if colon else reason, 60)


@dataclass(frozen=True)
class ImportedFile:
    """The file an import read, and when the run started and ended."""

    source: str
    name: str
    sha256: str
    started_at: dt.datetime
    finished_at: dt.datetime
    compared: bool  # read against the registry's state


def report_event(report: ImportReport, file: ImportedFile) -> EventEnvelope:
    """The `import.reported` event of a finished import (module docstring: its id, its key)."""
    payload = ImportReported(
        source=file.source,
        file_name=cut(file.name, SHORT_TEXT_MAX_CHARS),
        file_sha256=file.sha256,
        started_at=file.started_at,
        finished_at=file.finished_at,
        compared=file.compared,
        whole_list_of=[cut(body, SHORT_TEXT_MAX_CHARS) for body in report.whole_list_of],
        rows_read=report.rows,
        vendors_created=report.vendors,
        vendors_by_identifier=report.by_identifier,
        vendors_by_name=report.by_name,
        sanctions_imposed=report.imposed,
        sanctions_amended=report.amended,
        sanctions_lifted=report.lifted,
        sanctions_unchanged=report.unchanged,
        sanctions_withheld=report.withheld,
        sanctions_ended=report.ended,
        names_amended=report.names_amended,
        vendors_renamed=report.renamed,
        legal_names_corrected=report.corrected,
        identifiers_added=report.identifiers_added,
        events_sent=report.sent,
        refused_count=report.refused_count,
        refused=report.refused_rows,
        review_count=len(report.review),
        review=report.candidates[:LISTED],
    )
    run = f"{file.source}/{file.sha256}/{file.started_at.isoformat()}"
    return ENVELOPES[payload.event_type](
        event_id=uuid.uuid5(NAMESPACE, f"import.reported/{run}"),
        event_type=payload.event_type,
        schema_version=SCHEMA_VERSION,
        occurred_at=file.finished_at,
        source=f"import.{file.source}",
        vendor_id=f"import:{file.source}",
        payload=payload,
    )


def candidate_listings(report: ImportReport, reported: EventEnvelope) -> list[EventEnvelope]:
    """The `import.candidates_listed` events of the candidates beyond the first LISTED, in
    order, after the report `reported` (module docstring: their ids, their key)."""
    payload = reported.payload
    assert isinstance(payload, ImportReported)
    return [
        ENVELOPES[ImportCandidatesListed.event_type](
            event_id=uuid.uuid5(NAMESPACE, f"import.candidates_listed/{reported.event_id}/{at}"),
            event_type=ImportCandidatesListed.event_type,
            schema_version=SCHEMA_VERSION,
            occurred_at=reported.occurred_at,
            source=reported.source,
            vendor_id=reported.vendor_id,
            payload=ImportCandidatesListed(
                source=payload.source, report_id=reported.event_id, offset=at, candidates=part
            ),
        )
        for at, part in _parts(report.candidates, LISTED)
    ]


def _parts(
    candidates: list[ReviewCandidate], start: int
) -> list[tuple[int, list[ReviewCandidate]]]:
    """`candidates[start:]` cut into parts of at most PART candidates and _PART_BYTES of
    JSON, each with its first candidate's position."""
    parts: list[tuple[int, list[ReviewCandidate]]] = []
    part: list[ReviewCandidate] = []
    size = 0
    for position, candidate in enumerate(candidates[start:], start):
        weight = len(candidate.model_dump_json().encode()) + 1  # and its comma
        if part and (len(part) == PART or size + weight > _PART_BYTES):
            parts.append((position - len(part), part))
            part, size = [], 0
        part.append(candidate)
        size += weight
    if part:
        parts.append((len(candidates) - len(part), part))
    return parts
