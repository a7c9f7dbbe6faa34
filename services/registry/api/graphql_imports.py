"""Import reports in the API: `imports` (newest first, a page at a time) and
`importReport(reportId)`, as the registry stored them from the log (import_reports.py). A report
is a `Node`: its `id` is a global id, its report event's id is `reportId`. Its `review` is the
first `LISTED` candidates its event carries; `candidates` pages through all of them
(import_candidates.py), one statement pair for the reports of an answer."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Annotated

import strawberry

from services.events import imports as model
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import After, First100, First500
from services.platform.graphql.errors import InvalidArgument
from services.platform.graphql.loaders import batched
from services.platform.graphql.nodes import Key, Node, in_key_order
from services.platform.graphql.pagination import (
    Connection,
    cursor_position,
    foreign_cursor,
    page_size,
    position_cursor,
)
from services.platform.postgres.database import Connection as Db
from services.platform.postgres.whole_numbers import INTEGER_MAX
from services.platform.security.access import IMPORT_READERS
from services.registry.storage import import_candidates, import_reports
from services.registry.storage.import_candidates import StoredCandidate
from services.registry.storage.import_reports import StoredReport

MAX_PAGE = 100
MAX_CANDIDATES_PAGE = 500
# A report's page of candidates and how many the registry holds of it.
_CandidatePage = tuple[list[StoredCandidate], int]


@strawberry.type(description="A row of an imported file that was not imported, and why.")
class RefusedRow:
    line: int | None = strawberry.field(
        description="Its line in the file; null when the refusal has no row (a lift)."
    )
    reason: str = strawberry.field(description="Why, naming the field when one is at fault.")


@strawberry.type(
    description='An imported entity that became a new vendor but may be a known one ("possible'
    ' same as"), for a person to review: nothing was merged.'
)
class ReviewCandidate:
    line: int = strawberry.field(description="The entity's line in the file.")
    name: str = strawberry.field(description="The entity's name as the file gives it.")
    vendor_id: strawberry.ID = strawberry.field(description="The new vendor it became.")
    candidate_name: str = strawberry.field(description="The name of the vendor it may be.")
    candidate_vendor_id: strawberry.ID = strawberry.field(description="The vendor it may be.")
    score: float = strawberry.field(description="How alike the names are, 0–100.")
    why: str = strawberry.field(description="Why it was not joined (a weaker name, a tie, …).")

    @classmethod
    def of(cls, c: model.ReviewCandidate) -> ReviewCandidate:
        return cls(
            line=c.line,
            name=c.name,
            vendor_id=strawberry.ID(c.vendor_id),
            candidate_name=c.candidate_name,
            candidate_vendor_id=strawberry.ID(c.candidate_vendor_id),
            score=c.score,
            why=c.why,
        )


@strawberry.type(
    description="What one `vendorwatch import` of one file did, as its report event says"
    " (counts as the importer knew them when it finished: the registry may still refuse an"
    " event it sent, which deadLetters shows)."
)
class ImportReport(Node):
    report_id: strawberry.ID = strawberry.field(
        description="The report event's id (what `vendorwatch import` prints, for `importReport`)."
    )
    source: str = strawberry.field(description="The list imported, e.g. worldbank, jp_meti.")
    file_name: str = strawberry.field(description="The file's name as given to the importer.")
    file_sha256: str = strawberry.field(description="SHA-256 of the file's bytes, in hex.")
    started_at: dt.datetime = strawberry.field(description="When the import started.")
    finished_at: dt.datetime = strawberry.field(description="When it had sent its last event.")
    recorded_at: dt.datetime = strawberry.field(description="When the log recorded the report.")
    compared: bool = strawberry.field(
        description="Whether the file was read against the registry's state; false when no"
        " database was reachable (every row imposed, nothing amended or lifted)."
    )
    whole_list_of: list[str] = strawberry.field(
        description="The bodies whose whole list the file was said to be (`vendorwatch import"
        " jp_suspension --body`), as their rows' names are read: each one's recorded"
        " suspensions that the file does not give are lifted by it, whether or not it has rows"
        " (none when not `compared`, or when lifts were withheld: `sanctionsWithheld`). Empty"
        " for the other imports."
    )
    rows_read: int = strawberry.field(description="Rows read from the file.")
    vendors_created: int = strawberry.field(description="Vendors the import registered.")
    vendors_matched_by_identifier: int = strawberry.field(
        description="Entities that joined a known vendor holding their identifier."
    )
    vendors_matched_by_name: int = strawberry.field(
        description="Entities that joined the one known vendor of their name and country."
    )
    sanctions_imposed: int = strawberry.field(description="Sanctions imposed.")
    sanctions_amended: int = strawberry.field(
        description="Recorded sanctions whose period the file changed."
    )
    sanctions_lifted: int = strawberry.field(
        description="Recorded sanctions the file no longer lists, lifted from the import's day."
    )
    sanctions_unchanged: int = strawberry.field(
        description="Listed sanctions already recorded as the file gives them."
    )
    sanctions_withheld: int = strawberry.field(
        description="Recorded sanctions the file no longer lists that were not lifted: rows"
        " that could not be read, or that the catalog refused, may list them. Corrected and"
        " imported again, the file lifts them."
    )
    sanctions_ended: int = strawberry.field(
        description="Recorded sanctions the file no longer lists that were already over (their"
        " last day, every amendment counted, before the import's day): not lifted, a lift would"
        " change nothing (lists drop debarments that ended). Counted only when no row was"
        " refused by the importer's reader or the catalog (a refused row may list one). 0 in"
        " reports of imports before the count existed."
    )
    names_amended: int = strawberry.field(
        description="Vendors whose names (legal name or other names) the file now gives"
        " otherwise, amended."
    )
    vendors_renamed: int = strawberry.field(
        description="Of the vendors whose names were amended, those renamed from the import's"
        " day (the file names the firm otherwise, or gives a name back). 0 in reports of"
        " imports before the count existed."
    )
    legal_names_corrected: int = strawberry.field(
        description="Of the vendors whose names were amended, those whose legal name,"
        " registered as the file's name cell was written (other names in it), was corrected."
        " 0 in reports of imports before the count existed."
    )
    identifiers_added: int = strawberry.field(
        description="Vendors joined by name that gained the file's identifiers."
    )
    events_sent: int = strawberry.field(description="Events the import sent through ingest.")
    refused_count: int = strawberry.field(description="Rows refused, all of them.")
    refused: list[RefusedRow] = strawberry.field(
        description=f"The first {model.LISTED} rows refused, with their lines and reasons"
        " (every one: the file the importer wrote with `--refusals`)."
    )
    review_count: int = strawberry.field(description="Candidates for review, all of them.")
    review: list[ReviewCandidate] = strawberry.field(
        description=f"The first {model.LISTED} candidates for review (all of them: `candidates`)."
    )

    @strawberry.field(
        description="Every candidate for review, in the file's order, a page at a time: the"
        f" report's first {model.LISTED} and those the importer listed after it. `totalCount`"
        " is how many the registry holds so far; it reaches `reviewCount` once every listing"
        " is applied."
    )
    async def candidates(
        self, info: Info, first: Annotated[int, First500] = 100, after: After = None
    ) -> Connection[ReviewCandidate]:
        # Positions are an integer column.
        limit = page_size(first, MAX_CANDIDATES_PAGE)
        position = cursor_position("candidates", after, INTEGER_MAX)

        async def fetch(conn: Db, report_ids: list[str]) -> dict[str, _CandidatePage]:
            ids = [uuid.UUID(i) for i in report_ids]
            pages = await import_candidates.page(conn, ids, limit + 1, position)
            totals = await import_candidates.counts(conn, ids)
            return {str(i): (pages.get(i, []), totals.get(i, 0)) for i in ids}

        empty: _CandidatePage = ([], 0)
        loader = batched(info, ("importCandidates", limit, position), fetch, empty)
        stored, total = await loader.load(str(self.report_id))
        pairs = [
            (position_cursor("candidates", s.position), ReviewCandidate.of(s.candidate))
            for s in stored[:limit]
        ]
        return Connection.of_pairs(pairs, total, len(stored) > limit, after)

    node_key_names = ("reportId",)
    # As `imports` and `importReport`, which serve it.
    node_readers = IMPORT_READERS

    def node_key(self) -> Key:
        return (str(self.report_id),)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[ImportReport | None]:
        async with info.context.pool.acquire() as conn:
            found = await import_reports.named(conn, [uuid.UUID(k) for (k,) in keys])
        return in_key_order({(str(i),): cls.of(s) for i, s in found.items()}, keys)

    @classmethod
    def of(cls, stored: StoredReport) -> ImportReport:
        r = stored.report
        return cls(
            report_id=strawberry.ID(str(stored.event_id)),
            source=r.source,
            file_name=r.file_name,
            file_sha256=r.file_sha256,
            started_at=r.started_at,
            finished_at=r.finished_at,
            recorded_at=stored.recorded_at,
            compared=r.compared,
            whole_list_of=list(r.whole_list_of),
            rows_read=r.rows_read,
            vendors_created=r.vendors_created,
            vendors_matched_by_identifier=r.vendors_by_identifier,
            vendors_matched_by_name=r.vendors_by_name,
            sanctions_imposed=r.sanctions_imposed,
            sanctions_amended=r.sanctions_amended,
            sanctions_lifted=r.sanctions_lifted,
            sanctions_unchanged=r.sanctions_unchanged,
            sanctions_withheld=r.sanctions_withheld,
            sanctions_ended=r.sanctions_ended,
            names_amended=r.names_amended,
            vendors_renamed=r.vendors_renamed,
            legal_names_corrected=r.legal_names_corrected,
            identifiers_added=r.identifiers_added,
            events_sent=r.events_sent,
            refused_count=r.refused_count,
            refused=[RefusedRow(line=row.line, reason=row.reason) for row in r.refused],
            review_count=r.review_count,
            review=[ReviewCandidate.of(c) for c in r.review],
        )


def _cursor(stored: StoredReport) -> str:
    return f"{stored.report.finished_at.isoformat()}|{stored.event_id}"


def _after(cursor: str | None) -> tuple[dt.datetime, uuid.UUID] | None:
    """The keyset a cursor of `_cursor` names (newest first: a new report never shifts it)."""
    if cursor is None:
        return None
    at, _, event_id = cursor.partition("|")
    try:
        return dt.datetime.fromisoformat(at), uuid.UUID(event_id)
    except ValueError:
        raise foreign_cursor(cursor) from None


@strawberry.type
class ImportsQuery:
    @strawberry.field(
        description="The reports of `vendorwatch import`, newest first (by when they finished)."
    )
    async def imports(
        self, info: Info, first: Annotated[int, First100] = 20, after: After = None
    ) -> Connection[ImportReport]:
        limit = page_size(first, MAX_PAGE)
        keyset = _after(after)
        async with info.context.pool.acquire() as conn:
            stored = await import_reports.newest(conn, limit + 1, keyset)
            total = await import_reports.count(conn)
        page = stored[:limit]
        pairs = [(_cursor(s), ImportReport.of(s)) for s in page]
        return Connection.of_pairs(pairs, total, len(stored) > limit, after)

    @strawberry.field(
        description="One import's report by its report event's id; null when unknown."
    )
    async def import_report(
        self,
        info: Info,
        report_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="The report's `reportId` (from imports, or as the importer printed"
                " it); its global `id` goes to node(id:)."
            ),
        ],
    ) -> ImportReport | None:
        try:
            event_id = uuid.UUID(str(report_id))
        except ValueError:
            raise InvalidArgument(
                f"reportId: {str(report_id)[:80]!r} is not a report id (a UUID)"
            ) from None
        async with info.context.pool.acquire() as conn:
            stored = await import_reports.one(conn, event_id)
        return ImportReport.of(stored) if stored else None
