"""SQL of the registry's set-based batch application (handler.py): a statement per table for
any number of events."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from services.platform.eventstore.recorded_time import recorded_at_sql
from services.platform.postgres.database import Connection
from services.registry.domain.reference_rules import IncidentKey, IncidentState


async def incident_states(
    conn: Connection, keys: Sequence[IncidentKey]
) -> dict[IncidentKey, IncidentState]:
    """The day each of these stored incidents occurred and whether it is closed; unknown
    ones are left out."""
    rows = await conn.fetch(
        """SELECT i.vendor_id, i.incident_id, i.occurred_on, i.closed_on IS NOT NULL AS closed
           FROM registry_incidents i
           JOIN unnest($1::text[], $2::text[]) AS k(vendor_id, incident_id)
             USING (vendor_id, incident_id)""",
        [vendor_id for vendor_id, _ in keys],
        [incident_id for _, incident_id in keys],
    )
    return {
        (r["vendor_id"], r["incident_id"]): IncidentState(r["occurred_on"], r["closed"])
        for r in rows
    }


async def insert_records(conn: Connection, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """New rows of a table, in this order (a serial numbers them so), columns named by the
    rows' keys (the same in every row) and values in their JSON form or, for dates and UUIDs,
    as Python holds them: the table's types read back their text as they were."""
    await insert_json(
        conn, table, tuple(rows[0]), json.dumps(rows, ensure_ascii=False, default=str)
    )


async def insert_json(conn: Connection, table: str, columns: Sequence[str], rows: str) -> None:
    """New rows of a table from a JSON array of objects (`rows`) of these columns, in order,
    dated when the log recorded their events (`event_id` is among the columns)."""
    names = ", ".join(columns)
    await conn.execute(
        f"""INSERT INTO {table} ({names}, recorded_at)
            SELECT {names}, {recorded_at_sql("r.event_id")}
            FROM jsonb_populate_recordset(null::{table}, $1::jsonb) AS r""",
        rows,
    )


async def update_incidents(
    conn: Connection, steps: Mapping[IncidentKey, Mapping[str, Any]]
) -> None:
    """Sets each incident's columns (JSON form) to these; one statement per set of columns."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for (vendor_id, incident_id), changes in steps.items():
        row = {"vendor_id": vendor_id, "incident_id": incident_id, **changes}
        by_columns[tuple(sorted(changes))].append(row)
    for columns, rows in by_columns.items():
        assignments = ", ".join(f"{column} = s.{column}" for column in columns)
        await conn.execute(
            f"""UPDATE registry_incidents AS t SET {assignments}
                FROM jsonb_populate_recordset(null::registry_incidents, $1::jsonb) AS s
                WHERE t.vendor_id = s.vendor_id AND t.incident_id = s.incident_id""",
            json.dumps(rows, ensure_ascii=False),
        )
