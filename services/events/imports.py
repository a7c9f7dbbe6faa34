"""The payloads of an import's report: what one `vendorwatch import` of one file did.

An importer sends it through ingest after the import's own events, so the report is in the
log like everything else: the registry keeps it for the API (`imports`, `importReport`) and a
rebuild reproduces it. Its lists are bounded (the first `LISTED` refused rows and review
candidates, with their full counts), so one report stays a small event however bad the file.
The review candidates beyond those follow it in listings (`import.candidates_listed`, at
most `PART` each), so that every one reaches the registry and the alerts, not only the first.
"""

from __future__ import annotations

import uuid
from typing import Annotated, ClassVar, Self

from pydantic import Field, StringConstraints, model_validator

from services.events.base import (
    Identifier,
    LaterFields,
    NonEmptyText,
    Payload,
    ShortText,
    StrictModel,
    Timestamp,
    refusal,
)
from services.events.error_words import worded

# Refused rows and review candidates a report lists; the rest are counted (and the review
# candidates among them listed by `ImportCandidatesListed`).
LISTED = 100
# Review candidates one listing carries at most (the importer also cuts a part short of
# `catalog.MAX_EVENT_BYTES`: a candidate's texts may take up to about 6 KB of JSON).
PART = 500
# A list's name, as `vendorwatch import` spells it.
SourceName = Annotated[
    str,
    StringConstraints(
        pattern=worded(
            r"^[a-z][a-z0-9_]{1,31}$",
            "give 2 to 32 lowercase letters a–z, digits and _, starting with a letter,"
            " e.g. worldbank",
        )
    ),
]
Sha256 = Annotated[
    str,
    StringConstraints(
        pattern=worded(r"^[0-9a-f]{64}$", "give a SHA-256 digest: 64 lowercase hex digits")
    ),
]
Count = Annotated[int, Field(ge=0)]


class RefusedRow(StrictModel):
    """A row of the file that was not imported, and why."""

    line: int | None = Field(
        default=None, ge=1, description="Its line in the file; null for no row (a lift)."
    )
    reason: NonEmptyText = Field(description="Why, naming the field when one is at fault.")


class ReviewCandidate(StrictModel):
    """An imported entity made a new vendor, though it may be a vendor already known: for a
    person to review ("possible same as"); nothing was merged. Or it joined a vendor by an
    identifier under a name unlike the vendor's: joined, for a person to check."""

    line: int = Field(ge=1, description="The entity's line in the file.")
    name: ShortText = Field(description="The entity's name as the file gives it.")
    vendor_id: Identifier = Field(
        description="The new vendor it became (the vendor it joined, when `candidate_vendor_id`"
        " is the same)."
    )
    candidate_name: ShortText = Field(description="The name of the vendor it may be.")
    candidate_vendor_id: Identifier = Field(description="The vendor it may be.")
    score: float = Field(ge=0, le=100, allow_inf_nan=False, description="Name score, 0–100.")
    why: ShortText = Field(
        description="Why it was not joined (a weaker name, a tie, …), or why its join by an"
        " identifier is to be checked."
    )


class ImportReported(Payload, LaterFields):
    """What one import of one file did: rows read, vendors created and matched, sanctions
    imposed, amended and lifted, names amended, rows refused and candidates for review."""

    event_type: ClassVar[str] = "import.reported"
    ADDED_LATER = frozenset(
        {
            "sanctions_withheld",
            "sanctions_ended",
            "whole_list_of",
            "vendors_renamed",
            "legal_names_corrected",
        }
    )

    source: SourceName = Field(description="The list imported, e.g. worldbank, jp_meti.")
    file_name: ShortText = Field(description="The file's name as given to the importer.")
    file_sha256: Sha256 = Field(description="SHA-256 of the file's bytes, in hex.")
    started_at: Timestamp = Field(description="When the import started.")
    finished_at: Timestamp = Field(description="When it had sent its last event.")
    compared: bool = Field(
        description="Whether the file was read against the registry's state (false: no"
        " database was reachable, so every row was imposed and nothing amended or lifted)."
    )
    whole_list_of: list[ShortText] = Field(
        default_factory=list,
        description="The bodies whose whole list the file was said to be (`--body`), as their"
        " rows' names are read: each one's recorded suspensions that the file does not give"
        " are lifted by it (none when not compared, or when lifts were withheld).",
    )
    rows_read: Count = Field(description="Rows read from the file.")
    vendors_created: Count = Field(description="Vendors the import registered.")
    vendors_by_identifier: Count = Field(
        description="Entities that joined a known vendor by a shared identifier."
    )
    vendors_by_name: Count = Field(
        description="Entities that joined the one known vendor of their name and country."
    )
    sanctions_imposed: Count = Field(description="Sanctions imposed.")
    sanctions_amended: Count = Field(description="Recorded sanctions whose period changed.")
    sanctions_lifted: Count = Field(description="Recorded sanctions no longer listed, lifted.")
    sanctions_unchanged: Count = Field(description="Listed sanctions already recorded as is.")
    sanctions_withheld: Count = Field(
        default=0,
        description="Recorded sanctions no longer listed but not lifted: rows that could not be"
        " read, or that the catalog refused, may list them (corrected and imported again, the"
        " file lifts them).",
    )
    sanctions_ended: Count = Field(
        default=0,
        description="Recorded sanctions no longer listed and already over (their last day,"
        " every amendment counted, before the import's day): not lifted, a lift would change"
        " nothing (lists drop debarments that ended). Counted only when no row was refused"
        " by the reader or the catalog: a refused row may list one.",
    )
    names_amended: Count = Field(
        default=0, description="Vendors whose names the list now gives otherwise, amended."
    )
    vendors_renamed: Count = Field(
        default=0,
        description="Of the vendors whose names were amended, those renamed (vendor.renamed)"
        " from the import's day: the list names the firm otherwise, or gives a name back.",
    )
    legal_names_corrected: Count = Field(
        default=0,
        description="Of the vendors whose names were amended, those whose legal name, registered"
        " as the list's name cell was written (its other names in it), was corrected"
        " (vendor.updated's legal_name).",
    )
    identifiers_added: Count = Field(
        default=0, description="Vendors joined by name that gained the list's identifiers."
    )
    events_sent: Count = Field(description="Events the import sent through ingest.")
    refused_count: Count = Field(description="Rows refused, all of them.")
    refused: list[RefusedRow] = Field(
        default=[],
        max_length=LISTED,
        description=f"The first {LISTED} rows refused (every one: the importer's `--refusals`"
        " file).",
    )
    review_count: Count = Field(description="Candidates for review, all of them.")
    review: list[ReviewCandidate] = Field(
        default=[], max_length=LISTED, description=f"The first {LISTED} candidates for review."
    )

    @model_validator(mode="after")
    def _check_counts(self) -> Self:
        if self.finished_at < self.started_at:
            raise refusal("finished_before_start", "finished_at: before started_at")
        if len(self.refused) > self.refused_count:
            raise refusal(
                "more_listed_than_counted",
                f"refused: {len(self.refused)} listed, refused_count {self.refused_count}",
            )
        if len(self.review) > self.review_count:
            listed, counted = len(self.review), self.review_count
            raise refusal(
                "more_listed_than_counted", f"review: {listed} listed, review_count {counted}"
            )
        return self


class ImportCandidatesListed(Payload):
    """Review candidates of an import beyond the first `LISTED` its report lists: sent by the
    importer after the report, under the same key, a part at a time."""

    event_type: ClassVar[str] = "import.candidates_listed"

    source: SourceName = Field(description="The list imported, as the report names it.")
    report_id: uuid.UUID = Field(description="The event id of the import.reported they are of.")
    offset: Count = Field(
        description="The position of the first candidate here among all the report's"
        " candidates (from 0; the report lists those before the first listing's)."
    )
    candidates: list[ReviewCandidate] = Field(
        min_length=1, max_length=PART, description=f"The next candidates, at most {PART}."
    )
