"""SQL of the alerts service (migrations/0001_alerts.sql): what the handlers write and what the
API reads. Reads take the agencies in the caller's view (None: all; platform/security/access.py)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import asyncpg
from pydantic import TypeAdapter

from services.alerts.changes import Told
from services.events.alerts import AlertChange
from services.events.emitted import EligibilityReasonRef
from services.platform.postgres.database import Connection

# Reasons as the `alerts` and `alert_eligibility` tables keep them (JSON).
REASONS = TypeAdapter(list[EligibilityReasonRef])


async def watchlists_naming(
    conn: Connection, vendor_ids: Sequence[str]
) -> dict[str, list[tuple[str, str]]]:
    """Vendor → (agency, name) of every saved watchlist naming it, by agency and name."""
    rows = await conn.fetch(
        """SELECT v.vendor_id, w.agency, w.name
           FROM alert_watchlists w, unnest(w.vendor_ids) AS v(vendor_id)
           WHERE w.vendor_ids && $1::text[] AND v.vendor_id = ANY($1::text[])
           ORDER BY v.vendor_id, w.agency, w.name""",
        list(vendor_ids),
    )
    named: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        named.setdefault(r["vendor_id"], []).append((r["agency"], r["name"]))
    return named


# The last alert of each pair that says something of eligibility (possible matches do not),
# the newest stored; `_LAST_TOLD_BY`: of those raised by $3, the last raised. Each condition
# on the kind is written as the predicate of the partial index by moment is (migration 0013),
# for the planner to use it whatever the parameters.
_LAST_TOLD, _LAST_TOLD_BY = (
    f"""SELECT v.vendor_id, g.agency, a.eligible_again_on, a.change, a.reasons
        FROM unnest($1::text[]) AS v (vendor_id)
        CROSS JOIN unnest($2::text[]) AS g (agency)
        CROSS JOIN LATERAL (
            SELECT eligible_again_on, change, reasons FROM alerts
            WHERE alerts.vendor_id = v.vendor_id AND alerts.agency = g.agency
              AND change <> 'possible_match' {by}
            ORDER BY {order} LIMIT 1
        ) AS a"""
    for by, order in [("", "seq DESC"), ("AND raised_at <= $3", "raised_at DESC, seq DESC")]
)


async def last_told(
    conn: Connection,
    vendor_ids: Sequence[str],
    agencies: Sequence[str],
    by: dt.datetime | None = None,
) -> dict[tuple[str, str], Told]:
    """Per (vendor, agency), what the agency's last alert about the vendor's eligibility said
    (pairs never alerted are left out); of the alerts raised by `by` only, when given: the
    alerts a watch starting then could know of, the same when the alerts consumer is replayed
    with the later ones already stored. The last is the one stored last; by `by`, the one
    raised last (stored last of those raised at one instant): alike but where the log's
    partitions were applied apart, when it is the newest state the agency was told of.

    One probe per pair: of `alerts_by_vendor` from its newest alert, passing possible
    matches; with `by`, of `alerts_by_vendor_raised` (alerts' migration 0013) from that
    moment back, which holds no possible match. A `DISTINCT ON (vendor_id, agency)` read and
    sorted every alert of the pairs to keep the last (5,000 of a vendor's alerts at an
    agency: 18 ms, where the probe reads 1 and takes 0.03 ms), and the probe from the newest
    passed, in a replay, every alert raised after `by`."""
    rows = await conn.fetch(
        _LAST_TOLD if by is None else _LAST_TOLD_BY,
        list(vendor_ids),
        list(agencies),
        *(() if by is None else (by,)),
    )
    return {
        (r["vendor_id"], r["agency"]): Told(
            r["eligible_again_on"],
            r["change"] != AlertChange.LIFTED.value,
            tuple(REASONS.validate_json(r["reasons"])),
        )
        for r in rows
    }


async def insert_alerts(conn: Connection, texts: Sequence[str]) -> set[uuid.UUID]:
    """Stores the alerts not stored yet, in one statement; returns their ids. `texts`: each
    alert's event as the log and the outbox take it (`canonical_json`), whose fields the
    statement reads: each alert is serialised once, not once for its row and again for its
    event (thousands of alerts a batch, each listing every sanction that bars the vendor).
    Fields an alert's event leaves out (`AlertRaised.ADDED_LATER`, when empty) are stored
    as the columns' defaults say."""
    rows = await conn.fetch(
        """INSERT INTO alerts (alert_id, agency, vendor_id, change, as_of, eligible_again_on,
                               reasons, watchlists, cause_event_id, raised_at,
                               possible_match, extended_by, award, upcoming)
           SELECT (p->>'alert_id')::uuid, p->>'agency', e->>'vendor_id', p->>'change',
                  (p->>'as_of')::date, (p->>'eligible_again_on')::date, p->'reasons',
                  ARRAY(SELECT jsonb_array_elements_text(p->'watchlists')),
                  (p->>'cause_event_id')::uuid, (p->>'raised_at')::timestamptz,
                  NULLIF(p->'possible_match', 'null'), COALESCE(p->'extended_by', '[]'),
                  NULLIF(p->'award', 'null'), COALESCE(p->'upcoming', '[]')
           -- OFFSET 0: each text parsed once, not once for every field read from it (a
           -- subquery pulled up would repeat the cast in each expression).
           FROM (SELECT n, e, e->'payload' AS p
                 FROM (SELECT n, text::jsonb AS e
                       FROM unnest($1::text[]) WITH ORDINALITY AS a(text, n) OFFSET 0) AS parsed
                 OFFSET 0) AS alert
           ORDER BY n
           ON CONFLICT (alert_id) DO NOTHING RETURNING alert_id""",
        list(texts),
    )
    return {r["alert_id"] for r in rows}


async def insert_deliveries(conn: Connection, deliveries: Sequence[tuple[Any, str, str]]) -> None:
    """(alert id, URL, body) to deliver, due now."""
    if deliveries:
        await conn.executemany(
            "INSERT INTO alert_deliveries (alert_id, url, body) VALUES ($1, $2, $3)",
            deliveries,
        )


@dataclass(frozen=True)
class Watchlist:
    agency: str
    name: str
    vendor_ids: list[str]
    saved_at: dt.datetime | None  # None: the automatic watchlist, never saved


async def watchlists(
    conn: Connection,
    agencies: Sequence[str] | None,
    agency: str | None,
    ids: Sequence[uuid.UUID] | None = None,
) -> list[Watchlist]:
    """Saved watchlists by agency then name, of `agencies` (None: all); only `agency`'s when
    given; only those with these ids (`watchlist_id`) when given."""
    rows = await conn.fetch(
        """SELECT agency, name, vendor_ids, saved_at FROM alert_watchlists
           WHERE ($1::text[] IS NULL OR agency = ANY($1::text[]))
             AND ($2::text IS NULL OR agency = $2)
             AND ($3::uuid[] IS NULL OR watchlist_id = ANY($3::uuid[]))
           ORDER BY agency, name""",
        list(agencies) if agencies is not None else None,
        agency,
        list(ids) if ids is not None else None,
    )
    return [Watchlist(r["agency"], r["name"], list(r["vendor_ids"]), r["saved_at"]) for r in rows]


class DeliveryState(StrEnum):
    PENDING = "pending"
    # Its agency has no webhook now (taken out of the settings): nothing is tried until it has.
    WAITING_FOR_WEBHOOK = "waiting_for_webhook"
    DELIVERED = "delivered"


@dataclass(frozen=True)
class Delivery:
    url: str  # where it was last sent (before any attempt: its agency's webhook then)
    attempts: int
    last_status: int | None
    last_error: str | None
    last_try_at: dt.datetime | None
    next_try_at: dt.datetime | None  # None once delivered, and while waiting for a webhook
    delivered_at: dt.datetime | None
    waiting_since: dt.datetime | None  # since when it waits for its agency's webhook

    @property
    def state(self) -> DeliveryState:
        if self.delivered_at is not None:
            return DeliveryState.DELIVERED
        if self.waiting_since is not None:
            return DeliveryState.WAITING_FOR_WEBHOOK
        return DeliveryState.PENDING


@dataclass(frozen=True)
class StoredAlert:
    seq: int
    alert_id: uuid.UUID
    agency: str
    vendor_id: str
    change: str
    as_of: dt.date
    eligible_again_on: dt.date | None
    reasons: list[dict[str, Any]]
    watchlists: list[str]
    cause_event_id: uuid.UUID
    raised_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    acknowledge_note: str | None
    acknowledged_event_id: uuid.UUID | None  # the alert.acknowledged that stands
    possible_match: dict[str, Any] | None
    delivery: Delivery | None
    extended_by: list[dict[str, Any]]
    award: dict[str, Any] | None  # the contract, for an awarded_while_barred
    upcoming: list[dict[str, Any]]  # for a lift: the bars recorded to come there


_SELECT = """SELECT a.*, d.url, d.attempts, d.last_status, d.last_error, d.last_try_at,
                    d.next_try_at, d.delivered_at, d.waiting_for_webhook_since
             FROM alerts a LEFT JOIN alert_deliveries d USING (alert_id)"""
_FILTER = """($1::text[] IS NULL OR a.agency = ANY($1::text[]))
             AND ($2::text IS NULL OR a.agency = $2)
             AND ($3::boolean IS NULL OR (a.acknowledged_at IS NOT NULL) = $3)"""


def _stored(row: Any) -> StoredAlert:
    delivery = None
    if row["url"] is not None:
        # A delivery done, or waiting for its agency's webhook, has no next try: its row keeps
        # the last one's time, in the past, which read as due.
        waiting = row["delivered_at"] is None and row["waiting_for_webhook_since"] is not None
        delivery = Delivery(
            row["url"],
            row["attempts"],
            row["last_status"],
            row["last_error"],
            row["last_try_at"],
            None if row["delivered_at"] is not None or waiting else row["next_try_at"],
            row["delivered_at"],
            row["waiting_for_webhook_since"] if waiting else None,
        )
    by = json.loads(row["acknowledged_by"]) if row["acknowledged_by"] is not None else None
    return StoredAlert(
        row["seq"],
        row["alert_id"],
        row["agency"],
        row["vendor_id"],
        row["change"],
        row["as_of"],
        row["eligible_again_on"],
        json.loads(row["reasons"]),
        list(row["watchlists"]),
        row["cause_event_id"],
        row["raised_at"],
        row["acknowledged_at"],
        by["subject"] if by else None,
        row["acknowledge_note"],
        row["acknowledged_event_id"],
        json.loads(row["possible_match"]) if row["possible_match"] is not None else None,
        delivery,
        json.loads(row["extended_by"]),
        json.loads(row["award"]) if row["award"] is not None else None,
        json.loads(row["upcoming"]),
    )


async def alerts(
    conn: Connection,
    agencies: Sequence[str] | None,
    *,
    agency: str | None,
    acknowledged: bool | None,
    limit: int,
    before: int | None,
    counted: bool,
) -> tuple[list[StoredAlert], int]:
    """A page of alerts newest first (below seq `before` when given), and how many match
    (0 unless `counted`: a count reads every matching alert)."""
    scope = (list(agencies) if agencies is not None else None, agency, acknowledged)
    rows = await conn.fetch(
        f"{_SELECT} WHERE {_FILTER} AND ($4::bigint IS NULL OR a.seq < $4)"
        " ORDER BY a.seq DESC LIMIT $5",
        *scope,
        before,
        limit,
    )
    total = 0
    if counted:
        total = await conn.fetchval(f"SELECT count(*) FROM alerts a WHERE {_FILTER}", *scope)
    return [_stored(r) for r in rows], total


async def alert(conn: Connection | asyncpg.Pool, alert_id: uuid.UUID) -> StoredAlert | None:
    row = await conn.fetchrow(f"{_SELECT} WHERE a.alert_id = $1", alert_id)
    return None if row is None else _stored(row)


async def alerts_named(
    conn: Connection, alert_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, StoredAlert]:
    """The stored alerts of these ids, by id (every agency's: the caller scopes them)."""
    rows = await conn.fetch(f"{_SELECT} WHERE a.alert_id = ANY($1::uuid[])", list(alert_ids))
    return {alert.alert_id: alert for alert in map(_stored, rows)}
