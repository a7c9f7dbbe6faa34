"""Reading a vendor's risk history with every point's evidence.

A history row the consumer writes keeps what the score after its event is derived from: the
event (its seq), the day it took effect, the model in force and the agencies' totals on that
day (concentration's input from other vendors' contracts), not the score. Scoring every event
in full for its own day, as it arrived, was a quarter of the consumer's CPU, and reading
derived the evidence anyway: the vendor's events are folded again up to each row's event and
scored on the row's day with the row's totals, by the same pure rules (fold.py, scoring.py)
that score live. Such a row is scored by the running model: after a change of model it reads
as `vendorwatch rebuild risk` would have rewritten it.

Rows from before keep what they stored: from migration 0005 to 0007, each factor's points,
which the derived points must match, or the row is answered with its points alone (a model
changed since, without a rebuild); before 0005, the evidence they name (risk_factor_bodies).

The fold and the scoring run in a worker thread: a long history is CPU work.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import asyncpg

from services.events.catalog import parse_stored
from services.events.emitted import RiskBand
from services.platform.postgres.database import Connection
from services.risk.domain.facts import VendorState
from services.risk.domain.fold import facts_on, fold_one
from services.risk.domain.model import RiskModel
from services.risk.domain.risk_score import Factor, RiskScore
from services.risk.domain.scoring import score
from services.risk.storage import factor_storage, history_reads


async def history(
    conn: Connection,
    model: RiskModel,
    vendor_id: str,
    after_seq: int = 0,
    limit: int | None = None,
) -> list[tuple[int, dt.date, RiskScore]]:
    """The vendor's score after each event that moved it, in log order (a page of it), with
    its evidence."""
    return await scored(
        conn, model, vendor_id, await history_reads.history(conn, vendor_id, after_seq, limit)
    )


async def scored(
    conn: Connection, model: RiskModel, vendor_id: str, rows: Sequence[asyncpg.Record]
) -> list[tuple[int, dt.date, RiskScore]]:
    """These history rows of the vendor (in log order; not necessarily consecutive), each
    with its score and evidence: only these are scored, the events up to the last folded."""
    if not rows:
        return []
    bodies = await factor_storage.load_bodies(conn, factor_storage.digests_named(rows))
    replayed = [r for r in rows if r["agency_totals"] is not None]
    events = (
        await history_reads.subject_events(conn, vendor_id, replayed[-1]["seq"]) if replayed else []
    )
    derived = await asyncio.to_thread(derive, vendor_id, model, replayed, events)
    return [
        (r["seq"], r["as_of"], derived.get(r["seq"]) or factor_storage.score_of(r, bodies))
        for r in rows
    ]


def derive(
    vendor_id: str,
    model: RiskModel,
    rows: Sequence[asyncpg.Record],
    events: Sequence[tuple[int, str, dt.datetime]],
) -> dict[int, RiskScore]:
    """Per row (by seq), its score with the evidence derived from the events up to it (each
    with the instant the log recorded it, which the rules added later judge it by)."""
    state, seen, derived = VendorState(vendor_id), [], {}
    recorded: dict[uuid.UUID, dt.datetime] = {}
    pending = iter(events)
    upcoming = next(pending, None)
    for row in rows:
        while upcoming is not None and upcoming[0] <= row["seq"]:
            event = parse_stored(upcoming[1])
            recorded[event.event_id] = upcoming[2]
            state = fold_one(state, event, upcoming[2])
            seen.append(event)
            upcoming = next(pending, None)
        totals: dict[str, int] = json.loads(row["agency_totals"])
        full = score(facts_on(state, row["as_of"], seen, recorded), row["as_of"], model, totals)
        derived[row["seq"]] = with_evidence(row, full)
    return derived


def with_evidence(row: asyncpg.Record, full: RiskScore) -> RiskScore:
    """The row's score with the derived evidence, if the derived points are the row's (a row
    that keeps no points: the derived score)."""
    if row["factors"] is None:
        return full
    stored: list[dict[str, Any]] = json.loads(row["factors"])
    points = [(f["name"], f["contribution"]) for f in stored]
    band = RiskBand(row["band"])
    derived = [(f.name, f.contribution) for f in full.factors]
    if full.model_version == row["model_version"] and points == derived:
        return replace(full, score=row["score"], band=band)
    factors = tuple(Factor(name, contribution, ()) for name, contribution in points)
    return RiskScore(row["score"], band, row["model_version"], factors)
