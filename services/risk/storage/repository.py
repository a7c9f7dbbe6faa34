"""SQL of the risk service: its record of events, the vendors' states, the agencies' critical
contract counters, and scores over time. Batches are written with one statement per table."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import parse_stored
from services.events.emitted import RiskBand
from services.platform.eventstore import chain, order_seals
from services.platform.postgres.database import Connection
from services.risk.domain.concentration import ContractRow, DayChanges, StoredTotals
from services.risk.domain.fold import RecordedAt
from services.risk.domain.risk_score import RiskScore
from services.risk.storage import factor_storage

# The risk consumer's, and its recorded order's in the heads of every recorded order
# (`claim_order_heads`), which its rebuild sets back to the start (rebuilding.forget_progress).
CONSUMER_NAME = "risk"

# Risk's recorded order, numbered and sealed in `add_events`' statement (order_seals.py): $1
# the batch's events, $2 their partitions, $3 the consumer.
_SEALED_EVENTS = order_seals.sealing(
    consumer="$3::text",
    events="$1::uuid[]",
    partitions="$2::smallint[]",
    seqs="risk_events_seq_seq",
    recording="TRUE",
    among="TRUE",
)


async def add_events(
    conn: Connection,
    events: Sequence[EventEnvelope],
    items: Sequence[str],
    subjects: Sequence[Collection[str]],
) -> list[int]:
    """Records events in this order (their log order), each with the item it is about and the
    vendors it bears on. Returns the events' seqs. The envelopes stay the event store's
    (where every event risk is given was stored first): read through their ids.

    The order is sealed in the same statement, as the registry's claims seal theirs
    (platform/eventstore/order_seals.py): a rebuild replays it, and the agencies' totals of
    critical contracts it scores with depend on it across vendors."""
    rows = await conn.fetch(
        f"""WITH {_SEALED_EVENTS}, recorded AS (
               INSERT INTO risk_events (seq, event_id, seal)
               SELECT n.seq, n.event_id, s.seal FROM numbered n
               LEFT JOIN sealed s ON s.seq = n.seq
               RETURNING seq, event_id
           )
           SELECT seq, event_id FROM recorded""",
        [e.event_id for e in events],
        [chain.partition_of(e.vendor_id) for e in events],
        CONSUMER_NAME,
    )
    seq_of = {r["event_id"]: r["seq"] for r in rows}
    seqs = [seq_of[e.event_id] for e in events]
    subject_rows = [
        (vendor_id, seq, item)
        for seq, item, vendor_ids in zip(seqs, items, subjects, strict=True)
        for vendor_id in sorted(vendor_ids)
    ]
    await conn.execute(
        "INSERT INTO risk_event_subjects (vendor_id, seq, item)"
        " SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])",
        *_columns(subject_rows, 3),
    )
    return seqs


def _columns(rows: Sequence[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Rows as columns, for `unnest` (one statement for any number of rows)."""
    return [[row[i] for row in rows] for i in range(width)]


async def item_events(
    conn: Connection, vendor_id: str, items: Collection[str], up_to_seq: int | None = None
) -> tuple[list[EventEnvelope], RecordedAt]:
    """The events about these items of a vendor's record, in log order (up to a point), and
    when the log recorded them (what the rules added later judge them by: fold.py)."""
    events, recorded = await item_events_at(conn, vendor_id, items, up_to_seq)
    return [event for _, event in events], recorded


async def item_events_at(
    conn: Connection, vendor_id: str, items: Collection[str], up_to_seq: int | None = None
) -> tuple[list[tuple[int, EventEnvelope]], RecordedAt]:
    """`item_events`, each with its seq."""
    rows = await conn.fetch(
        """SELECT s.seq, st.envelope::text AS envelope, st.recorded_at
           FROM risk_event_subjects s JOIN risk_events e ON e.seq = s.seq
           JOIN event_store st ON st.event_id = e.event_id
           WHERE s.vendor_id = $1 AND s.item = ANY($2::text[])
             AND ($3::bigint IS NULL OR s.seq <= $3)
           ORDER BY s.seq""",
        vendor_id,
        list(items),
        up_to_seq,
    )
    events = [(r["seq"], parse_stored(r["envelope"])) for r in rows]
    recorded = {e.event_id: r["recorded_at"] for (_, e), r in zip(events, rows, strict=True)}
    return events, recorded


async def incident_subjects(
    conn: Connection, incidents: Collection[tuple[str, str]]
) -> dict[tuple[str, str], set[str]]:
    """Per (record's vendor, incident id), the vendors the incident bears on."""
    rows = await conn.fetch(
        """SELECT s.record_vendor_id, s.incident_id, s.vendor_id
           FROM risk_incident_subjects s
           JOIN unnest($1::text[], $2::text[]) AS i(record_vendor_id, incident_id)
             USING (record_vendor_id, incident_id)""",
        *_columns(list(incidents), 2),
    )
    found: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        found.setdefault((r["record_vendor_id"], r["incident_id"]), set()).add(r["vendor_id"])
    return found


async def add_incident_subjects(conn: Connection, rows: Collection[tuple[str, str, str]]) -> None:
    """(record's vendor, incident id, vendor it bears on) rows."""
    await conn.execute(
        """INSERT INTO risk_incident_subjects (record_vendor_id, incident_id, vendor_id)
           SELECT DISTINCT * FROM unnest($1::text[], $2::text[], $3::text[])
           ON CONFLICT DO NOTHING""",
        *_columns(list(rows), 3),
    )


async def contracts(conn: Connection, contract_ids: Collection[str]) -> dict[str, ContractRow]:
    rows = await conn.fetch(
        "SELECT contract_id, vendor_id, agency, critical, starts_on, ends_on"
        " FROM risk_contracts WHERE contract_id = ANY($1::text[])",
        list(contract_ids),
    )
    return {r["contract_id"]: ContractRow(*r) for r in rows}


async def put_contracts(conn: Connection, rows: Collection[ContractRow]) -> None:
    """Contracts as they now stand (one row per contract)."""
    await conn.execute(
        """INSERT INTO risk_contracts (contract_id, vendor_id, agency, critical, starts_on, ends_on)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::date[],
                                $6::date[])
           ON CONFLICT (contract_id) DO UPDATE SET vendor_id = EXCLUDED.vendor_id,
               agency = EXCLUDED.agency, critical = EXCLUDED.critical,
               starts_on = EXCLUDED.starts_on, ends_on = EXCLUDED.ends_on""",
        *_columns(
            [
                (c.contract_id, c.vendor_id, c.agency, c.critical, c.starts_on, c.ends_on)
                for c in rows
            ],
            6,
        ),
    )


async def critical_days(conn: Connection, agencies: Collection[str]) -> dict[str, StoredTotals]:
    """These agencies' counters of running critical contracts (concentration.py), summed up
    to each day here: a batch asks for the busiest agencies' thousands of days, and arrays
    of integers decode without a Python object per row."""
    rows = await conn.fetch(
        """SELECT agency, array_agg(day - DATE '0001-01-01' + 1 ORDER BY day) AS days,
                  array_agg(total ORDER BY day) AS totals
           FROM (SELECT agency, day, sum(delta) OVER (PARTITION BY agency ORDER BY day) AS total
                 FROM risk_critical_days WHERE agency = ANY($1::text[])) running
           GROUP BY agency""",
        list(agencies),
    )
    return {r["agency"]: (r["days"], r["totals"]) for r in rows}


async def add_critical_days(conn: Connection, changes: DayChanges) -> None:
    rows = [(agency, day, delta) for (agency, day), delta in changes.items() if delta]
    await conn.execute(
        """INSERT INTO risk_critical_days (agency, day, delta)
           SELECT * FROM unnest($1::text[], $2::date[], $3::integer[])
           ON CONFLICT (agency, day) DO UPDATE
           SET delta = risk_critical_days.delta + EXCLUDED.delta""",
        *_columns(rows, 3),
    )


async def announced(conn: Connection, vendor_ids: Collection[str]) -> dict[str, RiskScore]:
    """The scores last announced for these vendors, as far as deciding the next goes."""
    rows = await conn.fetch(
        "SELECT vendor_id, score, band, model_version, factors::text AS factors"
        " FROM risk_announced WHERE vendor_id = ANY($1::text[])",
        list(vendor_ids),
    )
    return {r["vendor_id"]: factor_storage.decided_of(r) for r in rows}


@dataclass(frozen=True)
class HistoryEntry:
    """An event that bore on a vendor, the day it took effect, the model in force and the
    agencies' totals on that day: what reading derives the vendor's score after it from
    (history.py)."""

    vendor_id: str
    seq: int
    as_of: dt.date
    model_version: str
    agency_totals: Mapping[str, int]


async def record_history(conn: Connection, entries: Sequence[HistoryEntry]) -> None:
    """History rows (one statement); their score, band and points are left to reading."""
    await conn.execute(
        """INSERT INTO risk_history (vendor_id, seq, as_of, model_version, agency_totals)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::date[], $4::text[], $5::jsonb[])""",
        *_columns(
            [
                (
                    e.vendor_id,
                    e.seq,
                    e.as_of,
                    e.model_version,
                    json.dumps(dict(sorted(e.agency_totals.items())), ensure_ascii=False),
                )
                for e in entries
            ],
            5,
        ),
    )


async def _score_columns(conn: Connection, scores: Mapping[str, RiskScore]) -> list[list[Any]]:
    rows, bodies = [], {}
    for vendor_id, s in sorted(scores.items()):
        factors, named = factor_storage.factors_by_digest(s)
        bodies.update(named)
        rows.append((vendor_id, s.score, s.band.value, s.model_version, factors))
    await factor_storage.store_bodies(conn, bodies)
    return _columns(rows, 5)


async def set_announced(conn: Connection, scores: Mapping[str, RiskScore]) -> None:
    await conn.execute(
        """INSERT INTO risk_announced (vendor_id, score, band, model_version, factors)
           SELECT * FROM unnest($1::text[], $2::float8[], $3::text[], $4::text[], $5::jsonb[])
           ON CONFLICT (vendor_id) DO UPDATE SET score = EXCLUDED.score, band = EXCLUDED.band,
               model_version = EXCLUDED.model_version, factors = EXCLUDED.factors""",
        *await _score_columns(conn, scores),
    )


async def set_current(
    conn: Connection,
    scores: Mapping[str, RiskScore],
    as_of: dt.date,
    totals: Mapping[str, Mapping[str, int]] | None = None,
) -> None:
    """The vendors' current scores; those in `totals` as points with the agencies' totals
    they used (their evidence derived when read: current_scores.py), the others with their
    evidence."""
    totals = totals or {}
    with_evidence = {v: s for v, s in scores.items() if v not in totals}
    columns = await _score_columns(conn, with_evidence)
    points = sorted((v, s) for v, s in scores.items() if v in totals)
    await conn.execute(
        """INSERT INTO risk_current (vendor_id, score, band, model_version, factors, as_of,
                                     agency_totals)
           SELECT *, $6::date, NULL FROM unnest($1::text[], $2::float8[], $3::text[], $4::text[],
                                                $5::jsonb[])
           UNION ALL
           SELECT v, s, b, m, f, $6::date, t
           FROM unnest($7::text[], $8::float8[], $9::text[], $10::text[], $11::jsonb[],
                       $12::jsonb[]) AS u(v, s, b, m, f, t)
           ON CONFLICT (vendor_id) DO UPDATE SET score = EXCLUDED.score, band = EXCLUDED.band,
               model_version = EXCLUDED.model_version, factors = EXCLUDED.factors,
               as_of = EXCLUDED.as_of, agency_totals = EXCLUDED.agency_totals,
               updated_at = now()""",
        *columns,
        as_of,
        *_columns(
            [
                (
                    vendor_id,
                    s.score,
                    s.band.value,
                    s.model_version,
                    factor_storage.points_json(s),
                    json.dumps(dict(sorted(totals[vendor_id].items())), ensure_ascii=False),
                )
                for vendor_id, s in points
            ],
            6,
        ),
    )


async def lock_vendors(conn: Connection, vendor_ids: Sequence[str]) -> None:
    """Serialises re-scoring per vendor until the transaction ends (in one order, so two
    transactions cannot deadlock here), whether or not it has been scored before."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtext('risk:' || v))"
        " FROM unnest($1::text[]) AS v ORDER BY v",
        sorted(set(vendor_ids)),
    )


# A current score's columns: vendor_id, as_of, score, band, model_version, factors and
# agency_totals (JSON; NULL for a score stored with its evidence).
_CURRENT = """vendor_id, as_of, score, band, model_version, factors::text AS factors,
              agency_totals::text AS agency_totals"""


async def current_of(conn: Connection, vendor_ids: Collection[str]) -> list[asyncpg.Record]:
    """These vendors' current scores (those that have one), their columns as `riskiest`'s."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {_CURRENT} FROM risk_current WHERE vendor_id = ANY($1::text[])",
        list(vendor_ids),
    )
    return rows


async def riskiest(
    conn: Connection, first: int, agency: str | None, band: RiskBand | None = None
) -> list[asyncpg.Record]:
    """The first vendors by current score (highest first), of `agency` and in `band` when
    given, with `current_of`'s columns."""
    # Each condition written only when given: as `$2 IS NULL OR EXISTS (…)`, the agency's
    # test was no semi-join PostgreSQL could walk down the scores with, but a set of all the
    # agency's contracts built at every call.
    conditions, values = [], []
    if agency is not None:
        values.append(agency)
        conditions.append(
            "EXISTS (SELECT 1 FROM risk_contracts k"
            f" WHERE k.agency = ${len(values) + 1} AND k.vendor_id = c.vendor_id)"
        )
    if band is not None:
        values.append(band.value)
        conditions.append(f"band = ${len(values) + 1}")
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"SELECT {_CURRENT} FROM risk_current c {where} ORDER BY score DESC, vendor_id LIMIT $1",
        first,
        *values,
    )
    return rows


async def vendors_due(conn: Connection, today: dt.date, limit: int, after: str) -> list[str]:
    """Vendors not scored for `today`, after `after` in id order (at most `limit`): read on
    by the key, so a day's pass reads each vendor once."""
    rows = await conn.fetch(
        "SELECT vendor_id FROM risk_current WHERE vendor_id > $3 AND as_of < $1"
        " ORDER BY vendor_id LIMIT $2",
        today,
        limit,
        after,
    )
    return [r["vendor_id"] for r in rows]
