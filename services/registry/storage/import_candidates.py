"""Every review candidate of an import report, for the API (`ImportReport.candidates`): the
report's own first `LISTED` (stored with it, import_reports.py) and those its listings carry
(`import.candidates_listed`, this module's handler), one row per position in the file's order
(migrations/0007_import_candidates.sql).

A listing follows its report under the same key, so the registry has the report when the
listing comes; it refuses one whose report it does not hold or that does not fit the report
(another list, before the report's own candidates, beyond its count, or positions listed
already), so that what the API shows is what the report counted.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from services.events.base import EventEnvelope
from services.events.imports import ImportCandidatesListed, ReviewCandidate
from services.platform.consuming.consumer import DomainRejection
from services.platform.postgres.database import Connection

_COLUMNS = "line, name, vendor_id, candidate_name, candidate_vendor_id, score, why"


@dataclass(frozen=True)
class StoredCandidate:
    position: int  # among the report's candidates, from 0
    candidate: ReviewCandidate


async def store(
    conn: Connection, report_id: uuid.UUID, offset: int, candidates: Sequence[ReviewCandidate]
) -> int:
    """Stores candidates from position `offset` on, one statement; returns how many were new."""
    if not candidates:
        return 0
    inserted: int = await conn.fetchval(
        f"""WITH new AS (
                INSERT INTO registry_import_candidates (report_id, position, {_COLUMNS})
                SELECT $1, $2 + ordinality - 1, {_COLUMNS}
                FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::float8[], $9::text[])
                     WITH ORDINALITY AS c ({_COLUMNS}, ordinality)
                ON CONFLICT (report_id, position) DO NOTHING RETURNING 1)
            SELECT count(*) FROM new""",
        report_id,
        offset,
        [c.line for c in candidates],
        [c.name for c in candidates],
        [c.vendor_id for c in candidates],
        [c.candidate_name for c in candidates],
        [c.candidate_vendor_id for c in candidates],
        [c.score for c in candidates],
        [c.why for c in candidates],
    )
    return inserted


async def candidates_listed(conn: Connection, event: EventEnvelope) -> None:
    """The registry's handler: the listing's candidates, after the report's (module docstring:
    what it refuses)."""
    payload = event.payload
    assert isinstance(payload, ImportCandidatesListed)
    report = await conn.fetchrow(
        """SELECT source, (report ->> 'review_count')::int AS counted,
                  jsonb_array_length(report -> 'review') AS own
           FROM registry_import_reports WHERE event_id = $1""",
        payload.report_id,
    )
    if report is None:
        raise DomainRejection(
            f"report_id: no import report {payload.report_id} (a listing follows its report,"
            " under the same key)"
        )
    if report["source"] != payload.source:
        raise DomainRejection(f"source: {payload.source}, the report is of {report['source']}")
    end = payload.offset + len(payload.candidates)
    if payload.offset < report["own"]:
        raise DomainRejection(
            f"offset: {payload.offset} is among the report's own {report['own']} candidates"
        )
    if end > report["counted"]:
        raise DomainRejection(
            f"candidates: positions {payload.offset}–{end - 1}, the report counts"
            f" {report['counted']}"
        )
    if await store(conn, payload.report_id, payload.offset, payload.candidates) < len(
        payload.candidates
    ):
        raise DomainRejection(
            f"offset: positions {payload.offset}–{end - 1} of report {payload.report_id} are"
            " listed already"
        )


async def page(
    conn: Connection, report_ids: Sequence[uuid.UUID], limit: int, after: int | None
) -> dict[uuid.UUID, list[StoredCandidate]]:
    """Each report's first `limit` candidates after position `after`, one statement."""
    rows = await conn.fetch(
        f"""SELECT r.report_id, c.position, c.line, c.name, c.vendor_id, c.candidate_name,
                   c.candidate_vendor_id, c.score, c.why
            FROM unnest($1::uuid[]) AS r (report_id)
            CROSS JOIN LATERAL (
                SELECT position, {_COLUMNS} FROM registry_import_candidates
                WHERE report_id = r.report_id AND position > $2
                ORDER BY position LIMIT $3) AS c""",
        list(report_ids),
        -1 if after is None else after,
        limit,
    )
    found: dict[uuid.UUID, list[StoredCandidate]] = {}
    for row in rows:
        values = dict(row)
        report_id, position = values.pop("report_id"), values.pop("position")
        found.setdefault(report_id, []).append(
            StoredCandidate(position, ReviewCandidate.model_validate(values))
        )
    return found


async def counts(conn: Connection, report_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many candidates the registry holds of each report (those with any)."""
    rows = await conn.fetch(
        """SELECT report_id, count(*) AS n FROM registry_import_candidates
           WHERE report_id = ANY($1::uuid[]) GROUP BY report_id""",
        list(report_ids),
    )
    return {row["report_id"]: row["n"] for row in rows}
