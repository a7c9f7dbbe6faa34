"""SQL of sanctions: impositions and their changes (append-only), read back as timelines."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import asyncpg

from services.events.sanction import PERIOD_FIELDS, SanctionAmended, SanctionImposed, SanctionKind
from services.platform.postgres.database import Connection
from services.registry.domain import sanction_timeline
from services.registry.domain.imposition_rules import SanctionHeader
from services.registry.domain.sanction_timeline import Change, Decision, SanctionTimeline

# A row as read (a record) or as about to be written (`sanction_row`, `change_row`).
Row = asyncpg.Record | Mapping[str, Any]


async def sanction_header(conn: Connection, sanction_id: str) -> SanctionHeader | None:
    """What judging a change of the sanction needs of it, or None when unknown."""
    return (await sanction_headers(conn, [sanction_id])).get(sanction_id)


async def sanction_taken(conn: Connection, sanction_id: str) -> bool:
    """Whether a sanction of this id is on record (of any vendor: ids are unique across
    vendors), by its key: an imposition asks nothing more (its header, `sanction_header`,
    reads every change of the sanction to build its timeline)."""
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM registry_sanctions WHERE sanction_id = $1)", sanction_id
        )
    )


async def sanction_headers(
    conn: Connection, sanction_ids: Sequence[str]
) -> dict[str, SanctionHeader]:
    """`sanction_header` of the known ones of these sanctions, in one query."""
    rows = await conn.fetch(
        f"{WITH_CHANGES} WHERE s.sanction_id = ANY($1::text[])", list(sanction_ids), None
    )
    return {r["sanction_id"]: header_of(r, [change_of(c) for c in r["changes"]]) for r in rows}


def header_of(sanction: Row, changes: Sequence[Change]) -> SanctionHeader:
    """The header of a sanction from its row (stored, or `sanction_row`) and its changes: lifted
    from its earliest lift (lifts recorded before the later rules could be lifted again,
    earlier), its last day that of its amended timeline, lifts aside, and that timeline's
    terms as imposed and its amendments (whether an amendment changes anything)."""
    lifts = [change.effective_on for change in changes if change.lifted]
    amendments = tuple(change for change in changes if not change.lifted)
    amended = timeline_of(sanction, amendments)
    return SanctionHeader(
        sanction["vendor_id"],
        sanction["decided_on"],
        sanction["starts_on"],
        sanction["authority"],
        tuple(sanction["grounds"]),
        sanction["serious"],
        min(lifts, default=None),
        amended.final_day,
        amended.terms[0],
        amendments,
    )


def sanction_row(vendor_id: str, payload: SanctionImposed, event_id: uuid.UUID) -> dict[str, Any]:
    """The `registry_sanctions` row of an imposition, column by column (recorded_at aside: a
    trigger copies the log's)."""
    return {
        "sanction_id": payload.sanction_id,
        "vendor_id": vendor_id,
        "kind": payload.kind.value,
        "authority": payload.authority,
        "decided_on": payload.decided_on,
        "starts_on": payload.starts_on,
        "duration_months": payload.duration_months,
        "duration_days": payload.duration_days,
        "ends_on": payload.ends_on,
        "indefinite": payload.indefinite,
        "agencies": payload.agencies,
        "categories": payload.categories,
        "covers_affiliates": payload.covers_affiliates,
        "grounds": payload.grounds,
        "serious": payload.serious,
        "incident_ids": payload.incident_ids,
        "reason": payload.reason,
        "policy_override_reason": payload.policy_override_reason,
        "event_id": event_id,
    }


def change_row(
    sanction_id: str,
    effective_on: dt.date,
    reason: str,
    event_id: uuid.UUID,
    amendment: SanctionAmended | None = None,
) -> dict[str, Any]:
    """The `registry_sanction_changes` row of an amendment, or (without `amendment`) of an
    early lift; NULL columns are unchanged."""
    a = amendment
    return {
        "sanction_id": sanction_id,
        "lifted": a is None,
        "effective_on": effective_on,
        "duration_months": a.duration_months if a else None,
        "duration_days": a.duration_days if a else None,
        "ends_on": a.ends_on if a else None,
        "indefinite": (a.indefinite or None) if a else None,
        "agencies": a.agencies if a else None,
        "categories": a.categories if a else None,
        "cover_all": [scope.value for scope in a.cover_all] if a else [],
        "covers_affiliates": a.covers_affiliates if a else None,
        "reason": reason,
        "event_id": event_id,
    }


async def _insert(conn: Connection, table: str, row: Mapping[str, Any]) -> None:
    placeholders = ", ".join(f"${n}" for n in range(1, len(row) + 1))
    await conn.execute(
        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({placeholders})", *row.values()
    )


async def insert_sanction(
    conn: Connection, vendor_id: str, payload: SanctionImposed, event_id: uuid.UUID
) -> None:
    await _insert(conn, "registry_sanctions", sanction_row(vendor_id, payload, event_id))


async def insert_change(
    conn: Connection,
    sanction_id: str,
    effective_on: dt.date,
    reason: str,
    event_id: uuid.UUID,
    amendment: SanctionAmended | None = None,
) -> None:
    """Records an amendment, or (without `amendment`) an early lift."""
    row = change_row(sanction_id, effective_on, reason, event_id, amendment)
    await _insert(conn, "registry_sanction_changes", row)


def change_of(row: Row) -> Change:
    """A change as a timeline takes it, from its row (stored, or `change_row`)."""
    fields: dict[str, Any] = {}
    if any(row[name] for name in PERIOD_FIELDS):
        fields.update({name: row[name] for name in PERIOD_FIELDS})
    for name in ("agencies", "categories", "covers_affiliates"):
        if row[name] is not None:
            fields[name] = row[name]
    fields.update({scope: None for scope in row["cover_all"]})
    return Change(row["effective_on"], row["lifted"], fields)


def timeline_of(sanction: Row, changes: Iterable[Change]) -> SanctionTimeline:
    """A sanction's timeline from its row (stored, or `sanction_row`) and known changes."""
    return sanction_timeline.build(
        sanction_id=sanction["sanction_id"],
        vendor_id=sanction["vendor_id"],
        kind=SanctionKind(sanction["kind"]),
        authority=sanction["authority"],
        decided_on=sanction["decided_on"],
        starts_on=sanction["starts_on"],
        imposed={
            name: sanction[name]
            for name in (*PERIOD_FIELDS, "agencies", "categories", "covers_affiliates")
        },
        changes=changes,
        decision=Decision(
            tuple(sanction["grounds"]), tuple(sanction["incident_ids"]), sanction["reason"]
        ),
    )


async def sanctions_with_changes(
    conn: Connection, vendor_ids: Sequence[str], known_at: dt.datetime | None
) -> list[tuple[asyncpg.Record, list[Change]]]:
    """Every sanction row of these vendors with its changes in recorded order, as recorded by
    `known_at` (all, when None): `sanction_rows`, each row's changes as a timeline takes them."""
    sanctions = await sanction_rows(conn, vendor_ids, known_at)
    return [(s, [change_of(c) for c in s["changes"]]) for s in sanctions]


async def sanction_rows(
    conn: Connection, vendor_ids: Sequence[str], known_at: dt.datetime | None
) -> list[asyncpg.Record]:
    """Every sanction row of these vendors, with its change rows as recorded by `known_at`
    (all, when None) in recorded order in `changes`; by vendor, then sanction id (code point
    order, as Python sorts), so that reasons come in one order whatever plan the database
    chose. One query, however many vendors. The ids come as a set to join (`IN (SELECT
    unnest …)`), not `= ANY`: every statement is planned for its values, and planning
    `= ANY` over 5,000 ids took longer than running it."""
    return await conn.fetch(
        f"""{WITH_CHANGES}
           WHERE s.vendor_id IN (SELECT unnest($1::text[]))
             AND ($2::timestamptz IS NULL OR s.recorded_at <= $2)
           ORDER BY s.vendor_id, s.sanction_id COLLATE "C" """,
        list(vendor_ids),
        known_at,
    )


async def timelines_named(
    conn: Connection, prefix: str, after: str, limit: int
) -> list[SanctionTimeline]:
    """The first `limit` sanctions whose id starts with `prefix` (an import's, `worldbank:`)
    and comes after `after` (a page: "" for the first, then the last id of the previous one),
    in id order (the database's), with all their changes."""
    sanctions = await conn.fetch(
        f"""{WITH_CHANGES} WHERE starts_with(s.sanction_id, $1::text) AND s.sanction_id > $3
            ORDER BY s.sanction_id LIMIT $4""",
        prefix,
        None,
        after,
        limit,
    )
    return [timeline_of(s, [change_of(c) for c in s["changes"]]) for s in sanctions]


async def lifted_by(conn: Connection, lifts: Mapping[str, uuid.UUID]) -> set[str]:
    """Of these sanctions, those lifted by the event given for each (an import's lift of a
    sanction its list no longer has: `imports/events.lift_id`)."""
    rows = await conn.fetch(
        """SELECT c.sanction_id FROM registry_sanction_changes c
           JOIN unnest($1::text[], $2::uuid[]) AS l(sanction_id, event_id)
             ON c.sanction_id = l.sanction_id AND c.event_id = l.event_id
           WHERE c.lifted""",
        list(lifts),
        list(lifts.values()),
    )
    return {r["sanction_id"] for r in rows}


# Sanction rows, each with its changes (as known at $2, all when NULL) as an array of rows
# (also the inner part of single_check.py's statement).
WITH_CHANGES = """SELECT s.*, array(
        SELECT c FROM registry_sanction_changes c
        WHERE c.sanction_id = s.sanction_id
          AND ($2::timestamptz IS NULL OR c.recorded_at <= $2)
        ORDER BY c.id
    ) AS changes
    FROM registry_sanctions s"""


async def timelines(
    conn: Connection, vendor_ids: Sequence[str], known_at: dt.datetime | None
) -> list[SanctionTimeline]:
    """Every sanction of these vendors with its changes, as recorded by `known_at` (all, when
    None), by vendor and sanction id. Two queries, however many vendors."""
    return [
        timeline_of(sanction, changes)
        for sanction, changes in await sanctions_with_changes(conn, vendor_ids, known_at)
    ]


async def authorities_recorded(conn: Connection) -> dict[str, int]:
    """Every authority named by a recorded sanction, with how many sanctions it imposed."""
    rows = await conn.fetch(
        "SELECT authority, count(*) AS sanctions FROM registry_sanctions GROUP BY authority"
    )
    return {r["authority"]: r["sanctions"] for r in rows}


# `placed_at`'s statement: the vendors ($1) and the moment ($2). The moment's changes are
# found first (an ingest batch's, by their moment), then their sanctions by key, so that no
# plan starts from the vendors' sanctions and reads every one of them.
PLACED_AT = """WITH changed AS MATERIALIZED (
        SELECT sanction_id, event_id FROM registry_sanction_changes WHERE recorded_at = $2)
    SELECT s.sanction_id, s.vendor_id, e.event_id, e.position
    FROM registry_sanctions s JOIN event_store e ON e.event_id = s.event_id
    WHERE s.vendor_id = ANY($1::text[]) AND s.recorded_at = $2
    UNION ALL
    SELECT s.sanction_id, s.vendor_id, e.event_id, e.position
    FROM changed c
    JOIN registry_sanctions s ON s.sanction_id = c.sanction_id
    JOIN event_store e ON e.event_id = c.event_id
    WHERE s.vendor_id = ANY($1::text[])"""


async def placed_at(
    conn: Connection, vendor_ids: Sequence[str], moment: dt.datetime
) -> list[asyncpg.Record]:
    """The sanction events of these vendors the log recorded at `moment` (an imposition or a
    change of one: `sanction_id`, `vendor_id`, `event_id`) with their `position` in the log,
    which orders the events of one ingest batch, all recorded at its one instant. Rows of
    events applied without the log (no position) are left out. One query, reading the
    moment's rows only (registry migration 0022): impositions by vendor and moment, changes
    by moment, whatever the vendors' history."""
    return await conn.fetch(PLACED_AT, list(vendor_ids), moment)
