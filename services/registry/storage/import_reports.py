"""Import reports (`import.reported`), kept for the API: written by the registry's handler, read
a page at a time newest first (migrations/0004_import_reports.sql).

A report is a fact about an import, not about a vendor: the registry accepts every well-formed
one (its envelope's `vendor_id` is only the key that keeps one list's reports in order, see
imports/report.py) and stores it as its event says it, so a rebuild writes the same rows.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from services.events.base import EventEnvelope
from services.events.imports import ImportReported
from services.platform.postgres.database import Connection
from services.registry.storage import import_candidates


@dataclass(frozen=True)
class StoredReport:
    event_id: uuid.UUID
    report: ImportReported
    recorded_at: dt.datetime


async def import_reported(conn: Connection, event: EventEnvelope) -> None:
    """The registry's handler: the report, stored once, with its own review candidates."""
    payload = event.payload
    assert isinstance(payload, ImportReported)
    await conn.execute(
        """INSERT INTO registry_import_reports
               (event_id, source, file_name, file_sha256, started_at, finished_at, report)
           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT (event_id) DO NOTHING""",
        event.event_id,
        payload.source,
        payload.file_name,
        payload.file_sha256,
        payload.started_at,
        payload.finished_at,
        payload.model_dump_json(),
    )
    # Its own candidates, where its listings' follow: `ImportReport.candidates` reads one table.
    await import_candidates.store(conn, event.event_id, 0, payload.review)


def _stored(row: object) -> StoredReport:
    values = dict(row)  # type: ignore[call-overload]
    return StoredReport(
        values["event_id"],
        ImportReported.model_validate(json.loads(values["report"]), strict=False),
        values["recorded_at"],
    )


_SELECT = "SELECT event_id, report, recorded_at FROM registry_import_reports"


async def newest(
    conn: Connection, limit: int, before: tuple[dt.datetime, uuid.UUID] | None
) -> list[StoredReport]:
    """The newest reports by the time they finished (then by id), after the keyset `before`."""
    rows = await conn.fetch(
        f"""{_SELECT} WHERE $2::timestamptz IS NULL OR (finished_at, event_id) < ($2, $3)
            ORDER BY finished_at DESC, event_id DESC LIMIT $1""",
        limit,
        before[0] if before else None,
        before[1] if before else None,
    )
    return [_stored(row) for row in rows]


async def count(conn: Connection) -> int:
    total: int = await conn.fetchval("SELECT count(*) FROM registry_import_reports")
    return total


async def one(conn: Connection, event_id: uuid.UUID) -> StoredReport | None:
    row = await conn.fetchrow(f"{_SELECT} WHERE event_id = $1", event_id)
    return _stored(row) if row else None


async def named(conn: Connection, event_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, StoredReport]:
    """The reports of these event ids that are stored, by event id (for `node(id:)`)."""
    rows = await conn.fetch(f"{_SELECT} WHERE event_id = ANY($1::uuid[])", list(event_ids))
    return {report.event_id: report for report in map(_stored, rows)}
