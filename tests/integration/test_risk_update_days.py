"""A risk announcement says the day its new score is of (`risk.changed`'s `as_of`,
`RiskUpdate.asOf`): the risk service's today when it scored, whatever day the event that
caused it takes effect (its `riskHistory` entry's), and the new day in the daily refresh.
Without it a dashboard could not tell which `riskScore(asOf:)` an update matches (a tester's
finding). Announcements stored before it was said keep no day, and are written as stored.
Through the API's schema in-process on a real PostgreSQL, the registry and the risk service
applying the log."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from services.events.catalog import parse_event, parse_stored
from services.events.emitted import RiskChanged
from services.risk.jobs import calendar
from tests.support import case_b, case_risk, event_log
from tests.support.risk_service import applied, service
from tests.support.served_objects import data, fields, pushed

pytestmark = pytest.mark.postgres

DAY, LATER = "2022-08-10", "2031-01-10"
UPDATE = fields("RiskUpdate")
AGAIN = f"query ($id: ID!) {{ node(id: $id) {{ ... on RiskUpdate {{ {UPDATE} }} }} }}"
# Announced before the day was said (tests/data/events/as_stored.jsonl's).
OLD = (
    '{"event_id":"793a7851-f92a-4216-81a8-d4c07d66f67c","event_type":"risk.changed",'
    '"schema_version":1,"occurred_at":"2022-07-08T10:00:00+09:00","source":"city.procurement",'
    '"vendor_id":"vendor-b","payload":{"model_version":"risk-2022.1","old_score":35.0,'
    '"new_score":92.5,"old_band":"medium","new_band":"critical",'
    '"moved_factors":["active_sanction","critical_incident"]}}'
)


async def _announced(pool: asyncpg.Pool, after: int = 0) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT event FROM risk_outbox WHERE id > $1 ORDER BY id", after)
    return [json.loads(r["event"]) for r in rows]


async def _update(pool: asyncpg.Pool, text: str) -> dict[str, Any]:
    """The announcement as `riskUpdates` pushes it live, then as `node(id:)` reads it from the
    log (where the relay puts it)."""
    event = parse_event(text)
    live = await pushed(pool, f"subscription {{ riskUpdates {{ {UPDATE} }} }}", event)
    await event_log.append(pool, [event])
    again: dict[str, Any] = (await data(pool, AGAIN, id=live["riskUpdates"]["id"]))["node"]
    assert again == live["riskUpdates"]
    return again


async def test_an_announcement_says_the_day_its_score_is_of(pool: asyncpg.Pool) -> None:
    events = [case_b.registered(), case_b.another_vendor(case_risk.SUBCONTRACTOR)]
    await applied(pool, service(DAY), [*events, *case_risk.the_case()])
    announced = await _announced(pool)
    assert announced
    # Caused by events of other days (the suspension's, the incidents'), scored for today.
    assert {e["payload"]["as_of"] for e in announced} == {DAY}
    update = await _update(pool, json.dumps(announced[-1]))
    assert update["asOf"] == DAY and update["newScore"] == announced[-1]["payload"]["new_score"]

    # Years later the daily refresh re-scores for its own day, and says so.
    told = await pool.fetchval("SELECT max(id) FROM risk_outbox")
    await calendar(pool, service(LATER))
    moves = await _announced(pool, told)
    assert moves and {e["payload"]["as_of"] for e in moves} == {LATER}
    assert (await _update(pool, json.dumps(moves[0])))["asOf"] == LATER


async def test_an_announcement_stored_before_the_day_was_said_has_none(
    pool: asyncpg.Pool,
) -> None:
    stored = parse_stored(OLD)
    assert isinstance(stored.payload, RiskChanged) and stored.payload.as_of is None
    update = await _update(pool, OLD)
    assert update["asOf"] is None and update["newScore"] == 92.5
