"""SQL of the risk service: its record of events, contracts, and scores over time."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.events.emitted import RiskBand
from services.platform.database import Connection
from services.platform.event_store import canonical_json
from services.risk.scoring import Evidence, Factor, RiskScore


async def add_event(conn: Connection, event: EventEnvelope, subjects: Iterable[str]) -> int:
    seq: int = await conn.fetchval(
        "INSERT INTO risk_events (event_id, envelope) VALUES ($1, $2) RETURNING seq",
        event.event_id,
        canonical_json(event),
    )
    await conn.executemany(
        "INSERT INTO risk_event_subjects (vendor_id, seq) VALUES ($1, $2)",
        [(vendor_id, seq) for vendor_id in sorted(set(subjects))],
    )
    return seq


async def incident_subjects(conn: Connection, record_vendor_id: str, incident_id: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT vendor_id FROM risk_incident_subjects"
        " WHERE record_vendor_id = $1 AND incident_id = $2",
        record_vendor_id,
        incident_id,
    )
    return [r["vendor_id"] for r in rows]


async def add_incident_subjects(
    conn: Connection, record_vendor_id: str, incident_id: str, vendor_ids: Iterable[str]
) -> None:
    await conn.executemany(
        "INSERT INTO risk_incident_subjects (record_vendor_id, incident_id, vendor_id)"
        " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        [(record_vendor_id, incident_id, v) for v in sorted(set(vendor_ids))],
    )


async def put_contract(
    conn: Connection,
    contract_id: str,
    vendor_id: str,
    agency: str,
    critical: bool,
    starts_on: dt.date,
    ends_on: dt.date,
) -> None:
    await conn.execute(
        """INSERT INTO risk_contracts (contract_id, vendor_id, agency, critical, starts_on, ends_on)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (contract_id) DO UPDATE SET vendor_id = EXCLUDED.vendor_id,
               agency = EXCLUDED.agency, critical = EXCLUDED.critical,
               starts_on = EXCLUDED.starts_on, ends_on = EXCLUDED.ends_on""",
        contract_id,
        vendor_id,
        agency,
        critical,
        starts_on,
        ends_on,
    )


async def set_contract_end(
    conn: Connection, contract_id: str, ends_on: dt.date, *, only_earlier: bool = False
) -> None:
    """A new last day (an amendment), or with `only_earlier` an early end (a termination)."""
    await conn.execute(
        "UPDATE risk_contracts SET ends_on = CASE WHEN $3 THEN LEAST(ends_on, $2) ELSE $2 END"
        " WHERE contract_id = $1",
        contract_id,
        ends_on,
        only_earlier,
    )


async def events_of(
    conn: Connection, vendor_id: str, up_to_seq: int | None = None
) -> list[EventEnvelope]:
    """The events bearing on a vendor, in log order (up to a point of the log, if given)."""
    rows = await conn.fetch(
        """SELECT e.envelope FROM risk_events e
           JOIN risk_event_subjects s ON s.seq = e.seq
           WHERE s.vendor_id = $1 AND ($2::bigint IS NULL OR e.seq <= $2)
           ORDER BY e.seq""",
        vendor_id,
        up_to_seq,
    )
    return [parse_event(r["envelope"]) for r in rows]


async def agency_critical_totals(conn: Connection, as_of: dt.date) -> dict[str, int]:
    rows = await conn.fetch(
        """SELECT agency, count(*) AS total FROM risk_contracts
           WHERE critical AND starts_on <= $1 AND ends_on >= $1 GROUP BY agency""",
        as_of,
    )
    return {r["agency"]: r["total"] for r in rows}


def _factors_json(score: RiskScore) -> str:
    return json.dumps(
        [
            {
                "name": f.name,
                "contribution": f.contribution,
                "evidence": [
                    {"event_ids": list(e.event_ids), "note": e.note, "vendor_id": e.vendor_id}
                    for e in f.evidence
                ],
            }
            for f in score.factors
        ],
        ensure_ascii=False,
    )


def _score(row: asyncpg.Record) -> RiskScore:
    factors: list[dict[str, Any]] = json.loads(row["factors"])
    return RiskScore(
        score=row["score"],
        band=RiskBand(row["band"]),
        model_version=row["model_version"],
        factors=tuple(
            Factor(
                name=f["name"],
                contribution=f["contribution"],
                evidence=tuple(
                    Evidence(tuple(e["event_ids"]), e["note"], e["vendor_id"])
                    for e in f["evidence"]
                ),
            )
            for f in factors
        ),
    )


async def record_history(
    conn: Connection, vendor_id: str, seq: int, as_of: dt.date, score: RiskScore
) -> None:
    await conn.execute(
        """INSERT INTO risk_history (vendor_id, seq, as_of, score, band, model_version, factors)
           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)""",
        vendor_id,
        seq,
        as_of,
        score.score,
        score.band.value,
        score.model_version,
        _factors_json(score),
    )


async def history(
    conn: Connection, vendor_id: str, after_seq: int = 0, limit: int | None = None
) -> list[tuple[int, dt.date, RiskScore]]:
    """The vendor's score after each event that moved it, in log order (a page of it)."""
    rows = await conn.fetch(
        "SELECT seq, as_of, score, band, model_version, factors::text AS factors"
        " FROM risk_history WHERE vendor_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        vendor_id,
        after_seq,
        limit,
    )
    return [(r["seq"], r["as_of"], _score(r)) for r in rows]


async def history_length(conn: Connection, vendor_id: str) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM risk_history WHERE vendor_id = $1", vendor_id
    )
    return count


async def lock_vendors(conn: Connection, vendor_ids: Sequence[str]) -> None:
    """Serialises re-scoring per vendor until the transaction ends (in one order, so two
    transactions cannot deadlock here), whether or not it has been scored before."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtext('risk:' || v))"
        " FROM unnest($1::text[]) AS v ORDER BY v",
        sorted(set(vendor_ids)),
    )


async def announced(conn: Connection, vendor_ids: Sequence[str]) -> dict[str, RiskScore]:
    rows = await conn.fetch(
        "SELECT vendor_id, score, band, model_version, factors::text AS factors"
        " FROM risk_announced WHERE vendor_id = ANY($1::text[])",
        list(vendor_ids),
    )
    return {r["vendor_id"]: _score(r) for r in rows}


async def set_announced(conn: Connection, vendor_id: str, score: RiskScore) -> None:
    await conn.execute(
        """INSERT INTO risk_announced (vendor_id, score, band, model_version, factors)
           VALUES ($1, $2, $3, $4, $5::jsonb)
           ON CONFLICT (vendor_id) DO UPDATE SET score = EXCLUDED.score, band = EXCLUDED.band,
               model_version = EXCLUDED.model_version, factors = EXCLUDED.factors""",
        vendor_id,
        score.score,
        score.band.value,
        score.model_version,
        _factors_json(score),
    )


async def set_current(conn: Connection, vendor_id: str, as_of: dt.date, score: RiskScore) -> None:
    await conn.execute(
        """INSERT INTO risk_current (vendor_id, score, band, model_version, factors, as_of)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6)
           ON CONFLICT (vendor_id) DO UPDATE SET score = EXCLUDED.score, band = EXCLUDED.band,
               model_version = EXCLUDED.model_version, factors = EXCLUDED.factors,
               as_of = EXCLUDED.as_of, updated_at = now()""",
        vendor_id,
        score.score,
        score.band.value,
        score.model_version,
        _factors_json(score),
        as_of,
    )


async def riskiest(
    conn: Connection, first: int, agency: str | None
) -> list[tuple[str, dt.date, RiskScore]]:
    rows = await conn.fetch(
        """SELECT vendor_id, as_of, score, band, model_version, factors::text AS factors
           FROM risk_current c
           WHERE $2::text IS NULL OR EXISTS (
               SELECT 1 FROM risk_contracts k WHERE k.vendor_id = c.vendor_id AND k.agency = $2)
           ORDER BY score DESC, vendor_id LIMIT $1""",
        first,
        agency,
    )
    return [(r["vendor_id"], r["as_of"], _score(r)) for r in rows]


async def vendors_due(conn: Connection, today: dt.date, limit: int) -> list[str]:
    rows = await conn.fetch(
        "SELECT vendor_id FROM risk_current WHERE as_of < $1 ORDER BY vendor_id LIMIT $2",
        today,
        limit,
    )
    return [r["vendor_id"] for r in rows]
