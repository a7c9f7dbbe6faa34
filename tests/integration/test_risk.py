"""Risk scores on a real PostgreSQL: the case step by step, inherited risk, announcements,
replay equality, and a new model version applied to all history."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from pydantic import TypeAdapter

from services.events.emitted import RiskBand
from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import drain
from services.platform.postgres.database import Connection
from services.risk import current_scores
from services.risk import history as risk_history
from services.risk.domain.facts import VendorState
from services.risk.domain.model import RiskModel, load_model
from services.risk.domain.risk_score import RiskScore
from services.risk.handlers import RiskService, risk_consumer
from services.risk.jobs import calendar, rescore_moved
from services.risk.rebuild import rebuild
from services.risk.storage import factor_storage, state_storage
from services.risk.storage.state_storage import StateMemo
from tests.support import case_b, case_risk
from tests.support.event_examples import envelope
from tests.support.registry import REGISTRY
from tests.support.risk_service import service

pytestmark = pytest.mark.postgres

BANDS = list(RiskBand)
MODEL = load_model()
MODEL_V1 = Path(__file__).resolve().parents[2] / "services" / "risk" / "models" / "v1.toml"


async def live(pool: asyncpg.Pool, risk: RiskService, events: list[dict[str, Any]]) -> None:
    """Through the real path: ingest into the event store, the registry's verdict, then the
    risk service, in log order. Vendors the registry does not know yet are registered first:
    it refuses events about unknown vendors or naming them as an incident's cause, and risk
    never sees them."""
    known = {r["vendor_id"] for r in await pool.fetch("SELECT vendor_id FROM registry_vendors")}
    named = {e["vendor_id"] for e in events}
    named |= {e["payload"].get("caused_by_vendor_id") or e["vendor_id"] for e in events}
    newcomers = sorted(named - known)
    events = [*(case_b.another_vendor(v) for v in newcomers), *events]
    await ingest_batch(pool, [case_b.line(e) for e in events])
    await drain(pool, REGISTRY)
    await drain(pool, risk_consumer(risk))


async def snapshot(pool: asyncpg.Pool) -> tuple[list[Any], list[Any]]:
    history = await pool.fetch(
        """SELECT h.vendor_id, e.event_id, h.as_of, h.score, h.band, h.model_version,
                  h.factors::text AS factors
           FROM risk_history h JOIN risk_events e ON e.seq = h.seq
           ORDER BY h.vendor_id, e.event_id"""
    )
    current = await pool.fetch(
        "SELECT vendor_id, score, band, model_version, factors::text AS factors, as_of"
        " FROM risk_current ORDER BY vendor_id"
    )
    return [tuple(r) for r in history], [tuple(r) for r in current]


async def test_the_case_raises_b_step_by_step_and_explains_each_step(pool: asyncpg.Pool) -> None:
    await live(pool, service(), case_risk.the_case())
    async with pool.acquire() as conn:
        steps = await risk_history.history(conn, MODEL, case_b.VENDOR)
    after = {
        event_type: risk
        for event_type, (_, _, risk) in zip(
            ["contract", "subcontract", "incident", "investigation", "suspension", "inherited"],
            steps,
            strict=True,
        )
    }
    bands = [BANDS.index(after[k].band) for k in ("incident", "investigation", "suspension")]
    assert bands == sorted(bands) and bands[-1] > bands[0]  # rises, step by step
    assert after["incident"].contribution("incidents") > 0
    assert after["investigation"].contribution("unapproved_subcontracting") > 0
    assert after["suspension"].contribution("active_sanctions") > 0
    assert after["suspension"].band in (RiskBand.HIGH, RiskBand.CRITICAL)
    inherited = after["inherited"].factor("inherited_incidents")
    assert inherited is not None and inherited.contribution > 0
    assert {e.vendor_id for e in inherited.evidence} == {case_risk.SUBCONTRACTOR}
    for risk in after.values():  # every point traced to its factors
        assert risk.score == pytest.approx(min(100.0, sum(f.contribution for f in risk.factors)))

    async with pool.acquire() as conn:
        ((_, _, subcontractor),) = await risk_history.history(conn, MODEL, case_risk.SUBCONTRACTOR)
    assert subcontractor.contribution("incidents") > 0  # C answers for its own incident


async def test_band_changes_are_announced_and_small_moves_are_not(pool: asyncpg.Pool) -> None:
    await live(pool, service(), case_risk.the_case())
    rows = await pool.fetch("SELECT event FROM risk_outbox ORDER BY id")
    announced = [json.loads(r["event"]) for r in rows]
    assert {e["event_type"] for e in announced} == {"risk.changed"}
    for event in announced:
        payload = event["payload"]
        moved = (
            payload["old_score"] is None or abs(payload["new_score"] - payload["old_score"]) >= 5
        )
        assert payload["old_band"] != payload["new_band"] or moved
    b_bands = [e["payload"]["new_band"] for e in announced if e["vendor_id"] == case_b.VENDOR]
    assert b_bands and b_bands[-1] in ("high", "critical")


async def test_a_replay_gives_exactly_the_live_scores_and_history(pool: asyncpg.Pool) -> None:
    risk = service()
    await live(pool, risk, case_risk.the_case())
    # Live processing's job re-scores the vendors whose concentration later contracts moved;
    # a rebuild does so before it commits.
    assert await rescore_moved(pool, risk) > 0
    before = await snapshot(pool)
    assert before[0] and before[1]
    assert await rebuild(pool, risk) == await pool.fetchval("SELECT count(*) FROM event_store")
    assert await snapshot(pool) == before  # field for field
    announced = await pool.fetchval("SELECT count(*) FROM risk_outbox")
    assert announced > 0  # live processing announced the band changes…
    await rebuild(pool, risk)
    assert await pool.fetchval("SELECT count(*) FROM risk_outbox") == announced  # …a replay none


async def test_a_replay_on_a_later_day_leaves_what_was_announced_as_said(
    pool: asyncpg.Pool,
) -> None:
    await live(pool, service(), case_risk.the_case())
    said = "SELECT vendor_id, score, band, factors::text FROM risk_announced ORDER BY vendor_id"
    announced = [tuple(r) for r in await pool.fetch(said)]
    assert announced
    # Years later every score has decayed: replayed today, the current scores move, but what
    # subscribers were told stays the record the next announcement is measured from.
    later = service(day="2031-01-10")
    await rebuild(pool, later)
    assert [tuple(r) for r in await pool.fetch(said)] == announced
    current = {r[0]: r[1] for r in await pool.fetch("SELECT vendor_id, score FROM risk_current")}
    assert any(current[vendor_id] != score for vendor_id, score, _, _ in announced)
    # The next day's refresh tells them, measured from what they were told.
    told = await pool.fetchval("SELECT max(id) FROM risk_outbox")
    await calendar(pool, service(day="2031-01-11"))
    rows = await pool.fetch("SELECT event FROM risk_outbox WHERE id > $1", told)
    moves = {e["vendor_id"]: e["payload"] for e in (json.loads(r["event"]) for r in rows)}
    assert moves
    said_before = {vendor_id: score for vendor_id, score, _, _ in announced}
    for vendor_id, payload in moves.items():
        assert payload["old_score"] == said_before[vendor_id]


async def test_a_new_model_version_is_applied_to_all_history(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    await live(pool, service(), case_risk.the_case())
    v1 = load_model()
    text = MODEL_V1.read_text(encoding="utf-8").replace('version = "1"', 'version = "2"', 1)
    text = text.replace("bid_suspension = 30", "bid_suspension = 40", 1)  # a weight changes
    assert tomllib.loads(text)["version"] == "2"
    v2_path = tmp_path / "v2.toml"
    v2_path.write_text(text, encoding="utf-8")
    v2 = load_model(v2_path)
    old_scores = await _every_history(pool, v1)
    await rebuild(pool, service(model_path=v2_path))
    versions = {
        r["model_version"] for r in await pool.fetch("SELECT model_version FROM risk_history")
    }
    assert versions == {v2.fingerprint}
    new_scores = await _every_history(pool, v2)
    assert {s.model_version for s in new_scores} == {v2.fingerprint}
    assert v1.fingerprint not in {s.model_version for s in new_scores}
    assert len(new_scores) == len(old_scores)
    assert [s.score for s in new_scores] != [s.score for s in old_scores]


async def _every_history(pool: asyncpg.Pool, model: RiskModel) -> list[RiskScore]:
    """Every vendor's history as read under `model`, vendor by vendor."""
    async with pool.acquire() as conn:
        vendors = [r[0] for r in await conn.fetch("SELECT DISTINCT vendor_id FROM risk_history")]
        return [
            score
            for vendor in sorted(vendors)
            for _, _, score in await risk_history.history(conn, model, vendor)
        ]


async def test_riskiest_vendors_rank_by_current_score_and_filter_by_agency_and_band(
    pool: asyncpg.Pool,
) -> None:
    risk = service()
    await live(pool, risk, case_risk.the_case())
    async with pool.acquire() as conn:
        ranked = await current_scores.riskiest(conn, risk, 10, None)
        in_agency = await current_scores.riskiest(conn, risk, 10, case_risk.AGENCY)
        elsewhere = await current_scores.riskiest(conn, risk, 10, "税務課")
        by_band = {
            band: await current_scores.riskiest(conn, risk, 10, None, band) for band in RiskBand
        }
    assert ranked[0][0] == case_b.VENDOR
    assert [s.score for _, _, s in ranked] == sorted((s.score for _, _, s in ranked), reverse=True)
    assert [v for v, _, _ in in_agency] == [case_b.VENDOR]
    assert elsewhere == []
    # Each band's list is the ranking's vendors of that band, in the ranking's order.
    for band, in_band in by_band.items():
        assert in_band == [r for r in ranked if r[2].band == band]
    assert sum(map(len, by_band.values())) == len(ranked)


async def test_past_days_answer_as_the_score_stood_then(pool: asyncpg.Pool) -> None:
    risk = service()
    await live(pool, risk, case_risk.the_case())
    async with pool.acquire() as conn:
        before_incident = await risk.evaluate(conn, case_b.VENDOR, dt.date(2022, 5, 1))
        during = await risk.evaluate(conn, case_b.VENDOR, dt.date(2023, 1, 1))
        later = await risk.evaluate(conn, case_b.VENDOR, dt.date(2025, 6, 1))
    assert before_incident.contribution("incidents") == 0
    assert during.contribution("active_sanctions") > 0
    assert later.contribution("active_sanctions") == 0  # the suspension ended 2024-01-08
    assert during.score > later.score


async def test_the_daily_run_rescores_as_sanctions_end_and_announces_the_fall(
    pool: asyncpg.Pool,
) -> None:
    await live(pool, service("2022-08-10"), case_risk.the_case())
    await pool.execute("DELETE FROM risk_outbox")
    later = service("2024-06-01")
    await calendar(pool, later)
    current = await pool.fetchrow(
        "SELECT as_of, band FROM risk_current WHERE vendor_id = $1", case_b.VENDOR
    )
    assert current is not None and current["as_of"] == dt.date(2024, 6, 1)
    (fall,) = [
        json.loads(r["event"])["payload"]
        for r in await pool.fetch("SELECT event FROM risk_outbox")
        if json.loads(r["event"])["vendor_id"] == case_b.VENDOR
    ]
    assert BANDS.index(RiskBand(fall["new_band"])) < BANDS.index(RiskBand(fall["old_band"]))
    assert "active_sanctions" in fall["moved_factors"]
    announced = await pool.fetchval("SELECT count(*) FROM risk_outbox")
    await calendar(pool, later)  # the same day again: nothing more
    assert await pool.fetchval("SELECT count(*) FROM risk_outbox") == announced


def _incident(incident_id: str, severity: str, kind: str) -> dict[str, Any]:
    payload = {
        "incident_id": incident_id,
        "kind": kind,
        "severity": severity,
        "occurred_on": "2022-08-10",  # the service's "today": no decay in between
        "reported_on": "2022-08-10",
        "description": "Recorded for the announcement test.",
    }
    return envelope("incident.reported", payload, "vendor-x")


async def test_small_moves_add_up_to_an_announcement_instead_of_drifting(
    pool: asyncpg.Pool,
) -> None:
    step = load_model().announce_min_step
    await live(pool, service(), [_incident("i-1", "high", "data_loss")])  # 20: medium
    small = [_incident(f"i-{n}", "low", "other") for n in (2, 3)]  # 2.5 points each
    assert step == 5  # the arithmetic below: 2.5 < step ≤ 2.5 + 2.5

    async def announced() -> list[float]:
        rows = await pool.fetch("SELECT event FROM risk_outbox ORDER BY id")
        return [json.loads(r["event"])["payload"]["new_score"] for r in rows]

    assert await announced() == [20.0]
    await live(pool, service(), small[:1])
    assert await announced() == [20.0]  # +2.5 from the last announcement: not yet
    await live(pool, service(), small[1:])
    assert await announced() == [20.0, 25.0]  # +5 from the last announcement, in two steps


async def test_history_keeps_what_its_scores_derive_from_and_reads_back_what_scoring_gives(
    pool: asyncpg.Pool,
) -> None:
    risk = service()
    await live(pool, risk, case_risk.the_case())
    stored = await pool.fetchval(
        "SELECT count(*) FROM risk_history WHERE score IS NOT NULL OR band IS NOT NULL"
        " OR factors IS NOT NULL OR agency_totals IS NULL"
    )
    assert stored == 0  # the event, its day, the model and the totals only
    async with pool.acquire() as conn:
        steps = await risk_history.history(conn, risk.model, case_b.VENDOR)
        (*_, (_, day, last)) = steps
        assert last == await risk.evaluate(conn, case_b.VENDOR, day)  # derived whole
    assert all(f.evidence for _, _, s in steps for f in s.factors)


async def test_rows_written_with_their_points_are_checked_against_the_derived_ones(
    pool: asyncpg.Pool,
) -> None:
    """Rows written between migrations 0005 and 0007 keep each factor's points: read back
    with the derived evidence when those match, with their points alone when they do not
    (a model changed since, without a rebuild)."""
    risk = service()
    await live(pool, risk, case_risk.the_case())
    async with pool.acquire() as conn:
        before = await risk_history.history(conn, risk.model, case_b.VENDOR)
        await _as_written_before(conn, before, factor_storage.points_json, keep_totals=True)
        assert await risk_history.history(conn, risk.model, case_b.VENDOR) == before
        seq, _, last = before[-1]
        changed = [{"name": f.name, "contribution": f.contribution + 1} for f in last.factors]
        await conn.execute(
            "UPDATE risk_history SET factors = $3::jsonb WHERE vendor_id = $1 AND seq = $2",
            case_b.VENDOR,
            seq,
            json.dumps(changed),
        )
        (*_, (_, _, read)) = await risk_history.history(conn, risk.model, case_b.VENDOR)
    assert [(f.name, f.contribution, f.evidence) for f in read.factors] == [
        (f["name"], f["contribution"], ()) for f in changed
    ]
    assert (read.score, read.band) == (last.score, last.band)


async def _as_written_before(
    conn: Connection,
    entries: list[tuple[int, dt.date, RiskScore]],
    factors_json: Callable[[RiskScore], str],
    *,
    keep_totals: bool,
) -> None:
    """Vendor B's history rows as an earlier consumer wrote them: each with its score, band
    and factors (`factors_json`), and its agencies' totals or none."""
    for seq, _, score in entries:
        await conn.execute(
            "UPDATE risk_history SET score = $3, band = $4, factors = $5::jsonb,"
            " agency_totals = CASE WHEN $6 THEN agency_totals END"
            " WHERE vendor_id = $1 AND seq = $2",
            case_b.VENDOR,
            seq,
            score.score,
            score.band.value,
            factors_json(score),
            keep_totals,
        )


def _with_evidence_json(score: RiskScore) -> str:
    """The factors with their evidence inline, as rows stored them before
    risk_factor_bodies."""
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


async def test_rows_written_before_with_their_evidence_read_back_the_same(
    pool: asyncpg.Pool,
) -> None:
    risk = service()
    await live(pool, risk, case_risk.the_case())
    async with pool.acquire() as conn:
        before = await risk_history.history(conn, risk.model, case_b.VENDOR)
        # As the rows were written before: the score, each factor with its evidence, no totals.
        await _as_written_before(conn, before, _with_evidence_json, keep_totals=False)
        await conn.execute("DROP TABLE risk_factor_bodies")  # as before the migration
        migration = resources.files("services.risk") / "migrations" / "0003_factor_bodies.sql"
        await conn.execute(migration.read_text(encoding="utf-8"))
        assert await risk_history.history(conn, risk.model, case_b.VENDOR) == before


async def test_states_kept_item_by_item_read_back_as_they_were_folded(
    pool: asyncpg.Pool,
) -> None:
    risk = service()
    await live(pool, risk, case_risk.the_case())
    vendors = [case_b.VENDOR, case_risk.SUBCONTRACTOR]
    async with pool.acquire() as conn:
        folded = await state_storage.load(conn, vendors, risk.states)  # this process's own
        assert all(risk.states.get(v, None) is None for v in vendors)  # no token: no reuse
        assert await state_storage.load(conn, vendors, StateMemo()) == folded  # from the rows
        assert folded[case_b.VENDOR].contracts and folded[case_b.VENDOR].horizons


async def test_states_written_whole_before_read_back_the_same(pool: asyncpg.Pool) -> None:
    risk = service()
    await live(pool, risk, case_risk.the_case())
    vendors = [case_b.VENDOR, case_risk.SUBCONTRACTOR]
    async with pool.acquire() as conn:
        folded = await state_storage.load(conn, vendors, StateMemo())
        # As before the migration: each state one JSON document, no items, no token.
        await conn.execute("DROP TABLE risk_vendor_items")
        await conn.execute("ALTER TABLE risk_vendor_states DROP COLUMN written")
        whole = TypeAdapter(VendorState)
        for state in folded.values():
            await conn.execute(
                "UPDATE risk_vendor_states SET state = $2::jsonb WHERE vendor_id = $1",
                state.vendor_id,
                whole.dump_json(state).decode(),
            )
        migration = resources.files("services.risk") / "migrations" / "0004_vendor_items.sql"
        await conn.execute(migration.read_text(encoding="utf-8"))
        assert await state_storage.load(conn, vendors, StateMemo()) == folded
