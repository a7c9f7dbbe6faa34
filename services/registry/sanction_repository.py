"""SQL of sanctions: impositions and their changes (append-only), read back as timelines."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import asyncpg

from services.events.sanction import PERIOD_FIELDS, SanctionAmended, SanctionImposed, SanctionKind
from services.platform.database import Connection
from services.registry import sanction_timeline
from services.registry.sanction_timeline import Change, Decision, SanctionTimeline


async def sanction_header(conn: Connection, sanction_id: str) -> tuple[str, dt.date] | None:
    """The vendor and first day of a sanction, or None when unknown."""
    row = await conn.fetchrow(
        "SELECT vendor_id, starts_on FROM registry_sanctions WHERE sanction_id = $1",
        sanction_id,
    )
    return (row["vendor_id"], row["starts_on"]) if row else None


async def insert_sanction(
    conn: Connection, vendor_id: str, payload: SanctionImposed, event_id: uuid.UUID
) -> None:
    await conn.execute(
        """INSERT INTO registry_sanctions
               (sanction_id, vendor_id, kind, authority, decided_on, starts_on,
                duration_months, duration_days, ends_on, indefinite, agencies, categories,
                covers_affiliates, grounds, serious, incident_ids, reason,
                policy_override_reason, event_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                   $17, $18, $19)""",
        payload.sanction_id,
        vendor_id,
        payload.kind.value,
        payload.authority,
        payload.decided_on,
        payload.starts_on,
        payload.duration_months,
        payload.duration_days,
        payload.ends_on,
        payload.indefinite,
        payload.agencies,
        payload.categories,
        payload.covers_affiliates,
        payload.grounds,
        payload.serious,
        payload.incident_ids,
        payload.reason,
        payload.policy_override_reason,
        event_id,
    )


async def insert_change(
    conn: Connection,
    sanction_id: str,
    effective_on: dt.date,
    reason: str,
    event_id: uuid.UUID,
    amendment: SanctionAmended | None = None,
) -> None:
    """Records an amendment, or (without `amendment`) an early lift."""
    a = amendment
    await conn.execute(
        """INSERT INTO registry_sanction_changes
               (sanction_id, lifted, effective_on, duration_months, duration_days, ends_on,
                indefinite, agencies, categories, cover_all, covers_affiliates, reason,
                event_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)""",
        sanction_id,
        a is None,
        effective_on,
        a.duration_months if a else None,
        a.duration_days if a else None,
        a.ends_on if a else None,
        (a.indefinite or None) if a else None,
        a.agencies if a else None,
        a.categories if a else None,
        [scope.value for scope in a.cover_all] if a else [],
        a.covers_affiliates if a else None,
        reason,
        event_id,
    )


def _change(row: asyncpg.Record) -> Change:
    fields: dict[str, Any] = {}
    if any(row[name] for name in PERIOD_FIELDS):
        fields.update({name: row[name] for name in PERIOD_FIELDS})
    for name in ("agencies", "categories", "covers_affiliates"):
        if row[name] is not None:
            fields[name] = row[name]
    fields.update({scope: None for scope in row["cover_all"]})
    return Change(row["effective_on"], row["lifted"], fields)


async def timelines(
    conn: Connection, vendor_ids: Sequence[str], known_at: dt.datetime | None
) -> list[SanctionTimeline]:
    """Every sanction of these vendors with its changes, as recorded by `known_at` (all, when
    None). Two queries, however many vendors."""
    sanctions = await conn.fetch(
        """SELECT * FROM registry_sanctions
           WHERE vendor_id = ANY($1::text[])
             AND ($2::timestamptz IS NULL OR recorded_at <= $2)""",
        list(vendor_ids),
        known_at,
    )
    changes = await conn.fetch(
        """SELECT * FROM registry_sanction_changes
           WHERE sanction_id = ANY($1::text[])
             AND ($2::timestamptz IS NULL OR recorded_at <= $2)
           ORDER BY id""",
        [s["sanction_id"] for s in sanctions],
        known_at,
    )
    by_sanction: dict[str, list[Change]] = defaultdict(list)
    for row in changes:
        by_sanction[row["sanction_id"]].append(_change(row))
    return [
        sanction_timeline.build(
            sanction_id=s["sanction_id"],
            vendor_id=s["vendor_id"],
            kind=SanctionKind(s["kind"]),
            authority=s["authority"],
            decided_on=s["decided_on"],
            starts_on=s["starts_on"],
            imposed={
                name: s[name]
                for name in (*PERIOD_FIELDS, "agencies", "categories", "covers_affiliates")
            },
            changes=by_sanction[s["sanction_id"]],
            decision=Decision(tuple(s["grounds"]), tuple(s["incident_ids"]), s["reason"]),
        )
        for s in sanctions
    ]
