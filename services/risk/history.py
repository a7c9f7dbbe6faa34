"""Reading a vendor's risk history with every point's evidence.

A history row the consumer writes keeps what the score after its event is derived from: the
event (its seq), the day it took effect, the model in force and the agencies' totals on that
day (concentration's input from other vendors' contracts), not the score. Scoring every event
in full for its own day, as it arrived, was a quarter of the consumer's CPU, and reading
derived the evidence anyway: the vendor's events are folded again up to each row's event and
scored on the row's day with the row's totals, by the same pure rules (fold.py, scoring.py)
that score live. Such a row is scored by the running model: after a change of model it reads
as `vendorwatch rebuild risk` would have rewritten it. The fold starts from the state kept at
or before the row (storage/history_marks.py: every 32nd entry of the vendor's), not from the
vendor's first event, so a page costs the same however deep in the history it is.

Rows from before keep what they stored: from migration 0005 to 0007, each factor's points,
which the derived points must match, or the row is answered with its points alone (a model
changed since, without a rebuild); before 0005, the evidence they name (risk_factor_bodies).

The fold and the scoring run in a worker thread: a long history is CPU work.
"""

from __future__ import annotations

import asyncio
import bisect
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import parse_stored
from services.events.emitted import RiskBand
from services.platform.postgres.database import Connection
from services.risk.domain.facts import VendorState
from services.risk.domain.fold import RecordedAt, facts_on, fold_one, stale_items
from services.risk.domain.model import RiskModel
from services.risk.domain.risk_score import Factor, RiskScore
from services.risk.domain.scoring import score
from services.risk.storage import factor_storage, history_marks, history_reads, repository
from services.risk.storage.history_marks import Kept


async def history(
    conn: Connection,
    model: RiskModel,
    vendor_id: str,
    after_seq: int = 0,
    limit: int | None = None,
    *,
    before_seq: int | None = None,
) -> list[tuple[int, dt.date, RiskScore]]:
    """The vendor's score after each event that moved it, in log order (a page of it: the
    first `limit` after `after_seq`, or the last `limit` before `before_seq`), with its
    evidence."""
    rows = await history_reads.history(conn, vendor_id, after_seq, limit, before_seq=before_seq)
    return await scored(conn, model, vendor_id, rows)


async def scored(
    conn: Connection, model: RiskModel, vendor_id: str, rows: Sequence[asyncpg.Record]
) -> list[tuple[int, dt.date, RiskScore]]:
    """These history rows of the vendor (in log order; not necessarily consecutive), each
    with its score and evidence: only these are scored, each from the latest state kept at
    or before it (or from the entry before it shown, if that is later)."""
    if not rows:
        return []
    bodies = await factor_storage.load_bodies(conn, factor_storage.digests_named(rows))
    replayed = [r for r in rows if r["agency_totals"] is not None]
    derived = await _derived(conn, model, vendor_id, replayed) if replayed else {}
    return [
        (r["seq"], r["as_of"], derived.get(r["seq"]) or factor_storage.score_of(r, bodies))
        for r in rows
    ]


@dataclass
class _Run:
    """Rows folded on from one start: a kept state (none: the vendor's first event), after
    its seq."""

    start: Kept | None
    rows: list[asyncpg.Record]


def _runs(rows: Sequence[asyncpg.Record], kept: Mapping[int, Kept]) -> list[_Run]:
    """The rows in runs: a row starts a run from its latest kept state when that state is
    past the row before it (folding on from that row would fold more), else joins its run."""
    runs: list[_Run] = []
    for row in rows:
        start = kept.get(row["seq"])
        after = start.seq if start is not None else 0
        if runs and after <= runs[-1].rows[-1]["seq"]:
            runs[-1].rows.append(row)
        else:
            runs.append(_Run(start, [row]))
    return runs


async def _derived(
    conn: Connection, model: RiskModel, vendor_id: str, rows: Sequence[asyncpg.Record]
) -> dict[int, RiskScore]:
    """Per row (by seq), its score derived from the vendor's events up to it: a few
    statements, and at most the events since the latest state kept before each run folded,
    however long the history before it."""
    runs = _runs(rows, await history_marks.latest_at(conn, vendor_id, [r["seq"] for r in rows]))
    kept = await history_marks.kept_rows(
        conn, vendor_id, [run.start.entry for run in runs if run.start is not None]
    )
    spans = [(run.start.seq if run.start else 0, run.rows[-1]["seq"]) for run in runs]
    events = await history_reads.subject_events(conn, vendor_id, spans)
    states = await asyncio.to_thread(_fold_runs, vendor_id, runs, kept, events)
    # A row on a day before one of its items' horizons (an out-of-order event) folds those
    # items again from their own events, the ones before the run's start included.
    stale = set().union(*(stale_items(states[r["seq"]], r["as_of"]) for r in rows))
    replayed, recorded = (
        await repository.item_events_at(conn, vendor_id, stale, rows[-1]["seq"])
        if stale
        else ([], {})
    )
    return await asyncio.to_thread(score_rows, model, rows, states, replayed, recorded)


def _fold_runs(
    vendor_id: str,
    runs: Sequence[_Run],
    kept: Sequence[asyncpg.Record],
    events: Sequence[tuple[int, str, dt.datetime]],
) -> dict[int, VendorState]:
    """Per row (by seq), the state after its event: each run folded from its start (the
    rows of the kept states, `history_marks.kept_rows`; the events in the runs' spans, each
    with when the log recorded it)."""
    starts = history_marks.states_of(vendor_id, kept)
    parsed = [(seq, parse_stored(envelope), at) for seq, envelope, at in events]
    seqs = [seq for seq, _, _ in parsed]
    states: dict[int, VendorState] = {}
    for run in runs:
        state = starts[run.start.entry] if run.start else VendorState(vendor_id)
        first = bisect.bisect_right(seqs, run.start.seq if run.start else 0)
        span = parsed[first : bisect.bisect_right(seqs, run.rows[-1]["seq"])]
        states |= fold_to(state, run.rows, span)
    return states


def fold_to(
    state: VendorState,
    rows: Sequence[asyncpg.Record],
    events: Sequence[tuple[int, EventEnvelope, dt.datetime]],
) -> dict[int, VendorState]:
    """Per row (by seq), `state` with the events (seq, event, when the log recorded it; in
    log order) up to the row's folded in (the rules added later judge an event by the
    instant the log recorded it: fold.py)."""
    states: dict[int, VendorState] = {}
    pending = iter(events)
    upcoming = next(pending, None)
    for row in rows:
        while upcoming is not None and upcoming[0] <= row["seq"]:
            state = fold_one(state, upcoming[1], upcoming[2])
            upcoming = next(pending, None)
        states[row["seq"]] = state
    return states


def score_rows(
    model: RiskModel,
    rows: Sequence[asyncpg.Record],
    states: Mapping[int, VendorState],
    replayed: Sequence[tuple[int, EventEnvelope]],
    recorded: RecordedAt,
) -> dict[int, RiskScore]:
    """Per row (by seq), its score on its day from its state, with its totals; `replayed`:
    (seq, event) of the items a row's day finds stale, in log order (others are ignored),
    recorded by the log at `recorded`."""
    derived = {}
    for row in rows:
        seq, day = row["seq"], row["as_of"]
        totals: dict[str, int] = json.loads(row["agency_totals"])
        facts = facts_on(states[seq], day, (e for at, e in replayed if at <= seq), recorded)
        derived[seq] = with_evidence(row, score(facts, day, model, totals))
    return derived


def derive(
    vendor_id: str,
    model: RiskModel,
    rows: Sequence[asyncpg.Record],
    events: Sequence[tuple[int, str, dt.datetime]],
) -> dict[int, RiskScore]:
    """Per row (by seq), its score with the evidence derived from every event (seq,
    envelope, recorded at) of the vendor up to it, folded from the first: what reading from
    kept states must answer."""
    parsed = [(seq, parse_stored(envelope), at) for seq, envelope, at in events]
    recorded = {event.event_id: at for _, event, at in parsed}
    states = fold_to(VendorState(vendor_id), rows, parsed)
    return score_rows(model, rows, states, [(seq, e) for seq, e, _ in parsed], recorded)


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
