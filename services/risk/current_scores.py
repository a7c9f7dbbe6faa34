"""Reading vendors' current scores (riskiestVendors) with every factor's evidence.

The consumer writes a vendor's current score as each factor's points with the agencies'
totals it used, as it writes a history row: deriving the evidence at the end of every batch,
for every vendor the batch touched, was about a third of its CPU, and a vendor with thousands
of ended contracts had them listed and hashed again whenever one more ended. Reading derives
it instead, from the vendor's state, which the consumer saves in the same transaction as the
score: the state's facts on the score's day (with the events of items that do not count yet
on that day folded again), scored with the stored totals by the same pure rules that gave
the points. The points derived must be the row's, or the row is answered with its points
alone (a model changed since, without a rebuild). Scores written with their evidence (by the
daily refresh, or before) are read as stored.

Both are read in one snapshot, so a batch committed meanwhile cannot pair a score with a
later state; the scoring runs in a worker thread (up to 500 vendors' records).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.events.base import EventEnvelope
from services.events.emitted import RiskBand
from services.platform.postgres.database import Connection
from services.risk.domain.facts import VendorState
from services.risk.domain.fold import RecordedAt, facts_on, stale_items
from services.risk.domain.model import RiskModel
from services.risk.domain.risk_score import RiskScore
from services.risk.domain.scoring import score
from services.risk.handlers import RiskService
from services.risk.history import with_evidence
from services.risk.storage import factor_storage, repository, state_storage


async def riskiest(
    conn: Connection,
    risk: RiskService,
    first: int,
    agency: str | None,
    band: RiskBand | None = None,
) -> list[tuple[str, dt.date, RiskScore]]:
    """The first vendors by current score, highest first (of `agency`, in `band`), each with
    its evidence."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        rows = await repository.riskiest(conn, first, agency, band)
        read = await _read(conn, risk, rows)
    return await _with_evidence(risk, read)


async def current_of(
    conn: Connection, risk: RiskService, vendor_ids: Sequence[str]
) -> list[tuple[str, dt.date, RiskScore]]:
    """These vendors' current scores (of those that have one), each with its evidence, as
    `riskiest` answers them."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        rows = await repository.current_of(conn, vendor_ids)
        read = await _read(conn, risk, rows)
    return await _with_evidence(risk, read)


@dataclass(frozen=True)
class _Read:
    """Current score rows and what deriving their evidence needs, read in one snapshot."""

    rows: Sequence[asyncpg.Record]
    bodies: Mapping[str, list[Any]]  # of the rows stored with their evidence
    points: Sequence[asyncpg.Record]  # the rows stored as points
    states: dict[str, VendorState]
    replayed: dict[str, tuple[list[EventEnvelope], RecordedAt]]


async def _read(conn: Connection, risk: RiskService, rows: Sequence[asyncpg.Record]) -> _Read:
    stored = [r for r in rows if r["agency_totals"] is None]
    bodies = await factor_storage.load_bodies(conn, factor_storage.digests_named(stored))
    points = [r for r in rows if r["agency_totals"] is not None]
    states = await state_storage.load(conn, [r["vendor_id"] for r in points], risk.states)
    replayed = {
        r["vendor_id"]: await repository.item_events(conn, r["vendor_id"], stale)
        for r in points
        if (stale := stale_items(states[r["vendor_id"]], r["as_of"]))
    }
    return _Read(rows, bodies, points, states, replayed)


async def _with_evidence(risk: RiskService, read: _Read) -> list[tuple[str, dt.date, RiskScore]]:
    """The rows' scores with their evidence, in their order (scored in a worker thread)."""
    derived = await asyncio.to_thread(_derive, risk.model, read.points, read.states, read.replayed)
    return [
        (
            r["vendor_id"],
            r["as_of"],
            derived.get(r["vendor_id"]) or factor_storage.score_of(r, read.bodies),
        )
        for r in read.rows
    ]


def _derive(
    model: RiskModel,
    rows: Sequence[asyncpg.Record],
    states: dict[str, VendorState],
    replayed: dict[str, tuple[list[EventEnvelope], RecordedAt]],
) -> dict[str, RiskScore]:
    """Per row (by vendor), its score with the evidence derived from the vendor's state."""
    derived = {}
    for row in rows:
        vendor_id, as_of = row["vendor_id"], row["as_of"]
        facts = facts_on(states[vendor_id], as_of, *replayed.get(vendor_id, ((), {})))
        totals: dict[str, int] = json.loads(row["agency_totals"])
        derived[vendor_id] = with_evidence(row, score(facts, as_of, model, totals))
    return derived
